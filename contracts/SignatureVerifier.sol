// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Signatures} from "./Signatures.sol";

/// @title {Signatures} as a deployed contract, for the contests
/// @notice The contest factory deploys one and every contest it creates calls it, so that the P-256 verifier's code
/// is not in each contest (which keeps the contest, and the factory that carries its creation code, within the
/// contract size limit). The ballot box uses the same library inline.
contract SignatureVerifier {
    /// @notice {Signatures-check}: `None`, or why `signature` is not `expected`'s signature of `digest`, with the
    /// signer found and, for a high `s`, the `s` refused.
    function check(
        bytes32 digest,
        address expected,
        uint8 scheme,
        bytes calldata signature
    ) external view returns (Signatures.Failure failure, address signer, bytes32 s) {
        return Signatures.check(digest, expected, scheme, signature);
    }
}
