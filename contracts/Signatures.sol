// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {P256} from "@openzeppelin/contracts/utils/cryptography/P256.sol";

/// @title The residents' signature schemes: a wallet's secp256k1 key, or a browser's P-256 key
/// @notice One home for checking a resident's signature of an EIP-712 digest, used by the ballot box and the contest.
/// Scheme 0 (secp256k1): `signature` is `r ‖ s ‖ v`, 65 bytes. Scheme 1 (P-256): `signature` is `r ‖ s ‖ qx ‖ qy`,
/// 128 bytes; the key's address is {keyAddress}, and the key signed the digest's 32 bytes as data, which WebCrypto
/// hashes with SHA-256 first. Each scheme refuses a high-s signature, so that a message has exactly one valid
/// signature.
library Signatures {
    uint8 internal constant SECP256K1 = 0;
    uint8 internal constant P256_SCHEME = 1;
    /// @dev P-256's group order halved: a higher `s` is the malleated twin of a valid signature.
    uint256 private constant _P256_HALF_N = 0x7fffffff800000007fffffffffffffffde737d56d38bcf4279dce5617e3192a8;

    /// @notice Why a signature is not the expected signer's; `None` when it is.
    enum Failure {
        None,
        HighS,
        InvalidLength,
        WrongSigner,
        UnknownScheme
    }

    /// @notice The address of a P-256 key: the last 20 bytes of `keccak256(abi.encode(qx, qy))`.
    function keyAddress(bytes32 qx, bytes32 qy) internal pure returns (address) {
        return address(uint160(uint256(keccak256(abi.encode(qx, qy)))));
    }

    /// @notice Checks that `signature`, in `scheme`, is `expected`'s signature of `digest`. Returns `None`, or why
    /// not with the signer found (zero when the signature is nobody's) and, for `HighS`, the `s` refused.
    function check(
        bytes32 digest,
        address expected,
        uint8 scheme,
        bytes calldata signature
    ) internal view returns (Failure failure, address signer, bytes32 s) {
        if (scheme == SECP256K1) {
            ECDSA.RecoverError error;
            (signer, error, s) = ECDSA.tryRecoverCalldata(digest, signature);
            if (error == ECDSA.RecoverError.InvalidSignatureS) return (Failure.HighS, address(0), s);
            if (error == ECDSA.RecoverError.InvalidSignatureLength) return (Failure.InvalidLength, address(0), 0);
            // A failed recovery gives the zero address: it is nobody's signature, even a message "of" address zero.
            if (error != ECDSA.RecoverError.NoError || signer != expected) return (Failure.WrongSigner, signer, 0);
            return (Failure.None, signer, 0);
        }
        if (scheme == P256_SCHEME) {
            if (signature.length != 128) return (Failure.InvalidLength, address(0), 0);
            bytes32 r;
            bytes32 qx;
            bytes32 qy;
            // solhint-disable-next-line no-inline-assembly
            assembly ("memory-safe") {
                r := calldataload(signature.offset)
                s := calldataload(add(signature.offset, 0x20))
                qx := calldataload(add(signature.offset, 0x40))
                qy := calldataload(add(signature.offset, 0x60))
            }
            signer = keyAddress(qx, qy);
            if (signer != expected) return (Failure.WrongSigner, signer, 0);
            if (uint256(s) > _P256_HALF_N) return (Failure.HighS, signer, s);
            // WebCrypto signs data, hashing it with SHA-256 first: the key signed the digest's 32 bytes as data.
            if (!P256.verify(sha256(abi.encodePacked(digest)), r, s, qx, qy)) {
                return (Failure.WrongSigner, address(0), 0);
            }
            return (Failure.None, signer, 0);
        }
        return (Failure.UnknownScheme, address(0), 0);
    }
}
