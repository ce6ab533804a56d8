// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {LowLevelCall} from "@openzeppelin/contracts/utils/LowLevelCall.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IAirdrop} from "./interfaces/IAirdrop.sol";
import {IBallotBox} from "./interfaces/IBallotBox.sol";
import {IBudgetToken} from "./interfaces/IBudgetToken.sol";
import {IRound} from "./interfaces/IRound.sol";
import {Signatures} from "./Signatures.sol";

/// @title Signed ballots, relayed in batches
/// @notice See {IBallotBox}. One ballot box serves every round of its factory; each round trusts it alone to vote
/// for others. It holds no tokens and no state: the nonces live in each round's token.
contract BallotBox is IBallotBox, EIP712 {
    /// @inheritdoc IBallotBox
    bytes32 public constant BALLOT_TYPEHASH = keccak256(
        "Ballot(address round,address voter,uint64 nonce,uint64 deadline,address[] fromBanks,uint256[] fromAmounts,address[] toBanks,uint256[] toAmounts)"
    );

    // Upper bounds, with room to spare, of what a ballot's calls can cost: the round's call with the signature
    // checked, plus one move into or out of a bank (a new deposit word, a new supporter, the bank's balance, the
    // event); the claim, plus one proof hash; using up the nonce of a rejected ballot (a new word at worst).
    uint256 private constant _CAST_BASE_GAS = 40_000;
    uint256 private constant _GAS_PER_MOVE = 60_000;
    uint256 private constant _CLAIM_BASE_GAS = 60_000;
    uint256 private constant _GAS_PER_PROOF_HASH = 1_000;
    uint256 private constant _USE_NONCE_GAS = 30_000;
    // What a ballot needs besides its calls: checking its signature, and reporting it if it is rejected.
    uint256 private constant _SECP256K1_GAS = 20_000;
    uint256 private constant _P256_PRECOMPILE_GAS = 30_000;
    uint256 private constant _P256_SOLIDITY_GAS = 330_000;

    /// @dev Whether the chain had the secp256r1 precompile when this contract was deployed. Should it come later,
    /// `P256.verify` uses it at once, and the gas set aside for it stays the Solidity verifier's, which is more.
    bool private immutable _p256Precompile;

    constructor() EIP712("Kopilka", "1") {
        _p256Precompile = _hasP256Precompile();
    }

    /// @inheritdoc IBallotBox
    function ballotDigest(
        IRound round,
        address voter,
        uint256 nonce,
        uint256 deadline,
        address[] calldata fromBanks,
        uint256[] calldata fromAmounts,
        address[] calldata toBanks,
        uint256[] calldata toAmounts
    ) public view returns (bytes32) {
        return
            _hashTypedDataV4(
                keccak256(
                    abi.encode(
                        BALLOT_TYPEHASH,
                        round,
                        voter,
                        nonce,
                        deadline,
                        keccak256(abi.encodePacked(fromBanks)),
                        keccak256(abi.encodePacked(fromAmounts)),
                        keccak256(abi.encodePacked(toBanks)),
                        keccak256(abi.encodePacked(toAmounts))
                    )
                )
            );
    }

    /// @inheritdoc IBallotBox
    function keyAddress(bytes32 qx, bytes32 qy) public pure returns (address) {
        return Signatures.keyAddress(qx, qy);
    }

    /// @inheritdoc IBallotBox
    function signatureGas(uint8 scheme) public view returns (uint256) {
        if (scheme == Signatures.P256_SCHEME) return _p256Precompile ? _P256_PRECOMPILE_GAS : _P256_SOLIDITY_GAS;
        return _SECP256K1_GAS;
    }

    /// @inheritdoc IBallotBox
    function ballotGas(Ballot calldata ballot) public view returns (uint256) {
        (uint256 castGas, uint256 claimGas) = _gasOf(ballot);
        return castGas + claimGas + _USE_NONCE_GAS + signatureGas(ballot.scheme);
    }

    /// @inheritdoc IBallotBox
    function submit(IRound round, Ballot[] calldata ballots) external {
        // Ballots call the round without Solidity's check that it has code: check it once here.
        if (address(round).code.length == 0) revert BallotBoxNotARound(address(round));
        IAirdrop airdrop = round.airdrop();
        for (uint256 i = 0; i < ballots.length; ++i) {
            Ballot calldata ballot = ballots[i];
            uint256 freeMemory;
            // solhint-disable-next-line no-inline-assembly
            assembly ("memory-safe") {
                freeMemory := mload(0x40)
            }
            bytes memory reason = _cast(round, airdrop, ballot);
            if (reason.length != 0) emit BallotRejected(address(round), ballot.voter, ballot.nonce, reason);
            // Nothing outlives a ballot: reusing its memory keeps the cost of memory flat over a long batch.
            // solhint-disable-next-line no-inline-assembly
            assembly ("memory-safe") {
                mstore(0x40, freeMemory)
            }
        }
    }

    /// @inheritdoc IBallotBox
    function cancel(IRound round, uint256 nonce) external {
        round.castFor(msg.sender, nonce, new address[](0), new uint256[](0), new address[](0), new uint256[](0));
    }

    /// @dev Carries out one ballot; returns why it was rejected, or nothing. Each call gets a fixed share of gas,
    /// so no ballot can starve the rest of its batch, and reverts inside a call stay inside it.
    function _cast(IRound round, IAirdrop airdrop, Ballot calldata ballot) private returns (bytes memory reason) {
        if (block.timestamp > ballot.deadline) {
            return abi.encodeWithSelector(BallotBoxExpired.selector, ballot.deadline, block.timestamp);
        }
        (uint256 castGas, uint256 claimGas) = _gasOf(ballot);
        // A call receives at most 63/64 of what is left (EIP-150): make sure each gets its whole share, so that a
        // batch sent with too little gas reports it rather than whatever a starved call was doing.
        uint256 calls = castGas + claimGas + _USE_NONCE_GAS;
        uint256 needed = calls + calls / 63 + signatureGas(ballot.scheme);
        uint256 left = gasleft();
        if (left < needed) return abi.encodeWithSelector(BallotBoxOutOfGas.selector, needed, left);
        reason = _checkSignature(round, ballot);
        if (reason.length != 0) return reason;
        if (ballot.claim.length != 0) _claim(airdrop, ballot, claimGas);
        bool success;
        (success, reason) = _castFor(round, ballot, castGas);
        if (success) return "";
        // The voter signed this ballot and the round refused it: use its nonce up, so that nobody can submit it
        // again once it would pass (e.g. after the voter took tokens back out of a bank). A used nonce needs nothing.
        if (bytes4(reason) != IBudgetToken.BudgetTokenInvalidNonce.selector) _useNonce(round, ballot);
        if (reason.length == 0) reason = abi.encodeWithSelector(BallotBoxCallFailed.selector, castGas);
    }

    /// @dev Claiming is open to anyone and pays the voter, so the claim stands even if the moves fail; and a
    /// failed claim (already claimed) is no reason to drop the moves: without tokens the round refuses them.
    function _claim(IAirdrop airdrop, Ballot calldata ballot, uint256 gas) private {
        Claim calldata claim = ballot.claim[0];
        try
            airdrop.claim{gas: gas}(
                claim.batchId,
                ballot.voter,
                claim.district,
                claim.amount,
                claim.enrollment,
                claim.proof
            )
        {} catch {}
    }

    /// @dev Calls {IRound-castFor} with the ballot's own encoding: its first six fields are castFor's arguments,
    /// and their offsets count from the ballot's start as castFor's count from its arguments' start. Copying the
    /// ballot up to the end of its last array is all the encoding needed; should an array lie outside the copy,
    /// the round's decoder reverts on reading past the end, which rejects the ballot.
    function _castFor(
        IRound round,
        Ballot calldata ballot,
        uint256 gasShare
    ) private returns (bool success, bytes memory reason) {
        uint256 end = Math.max(_end(ballot.fromBanks), _end(ballot.toBanks));
        end = Math.max(end, Math.max(_end(ballot.fromAmounts), _end(ballot.toAmounts)));
        bytes4 selector = IRound.castFor.selector;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let size := sub(end, ballot)
            let data := mload(0x40)
            mstore(data, selector)
            calldatacopy(add(data, 4), ballot, size)
            success := call(gasShare, round, 0, data, add(size, 4), 0, 0)
        }
        // The round and its token revert with short custom errors; the copy is whatever they returned.
        if (!success) reason = LowLevelCall.returnData();
    }

    /// @dev Uses up the nonce of `ballot`, which the round refused, with an empty ballot of the voter's: the round
    /// checks no phase for one, so this works even when the round was not open yet. Should it fail, the nonce was
    /// not the voter's current one, and the ballot cannot pass anyway until it is.
    function _useNonce(IRound round, Ballot calldata ballot) private {
        bytes memory data = abi.encodeCall(
            IRound.castFor,
            (ballot.voter, ballot.nonce, new address[](0), new uint256[](0), new address[](0), new uint256[](0))
        );
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            pop(call(_USE_NONCE_GAS, round, 0, add(data, 0x20), mload(data), 0, 0))
        }
    }

    /// @dev Where the array's data ends in calldata. Solidity has checked it lies within the calldata.
    function _end(address[] calldata array) private pure returns (uint256 end) {
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            end := add(array.offset, shl(5, array.length))
        }
    }

    function _end(uint256[] calldata array) private pure returns (uint256 end) {
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            end := add(array.offset, shl(5, array.length))
        }
    }

    /// @dev Returns why the ballot's signature is not its voter's, or nothing: {Signatures-check}'s answer as the
    /// ballot box reports it.
    function _checkSignature(IRound round, Ballot calldata ballot) private view returns (bytes memory) {
        bytes32 digest = _hashTypedDataV4(_structHash(round, ballot));
        uint8 scheme = ballot.scheme;
        (Signatures.Failure failure, address signer, bytes32 s) = Signatures.check(
            digest,
            ballot.voter,
            scheme,
            ballot.signature
        );
        if (failure == Signatures.Failure.None) return "";
        if (failure == Signatures.Failure.HighS)
            return abi.encodeWithSelector(ECDSA.ECDSAInvalidSignatureS.selector, s);
        if (failure == Signatures.Failure.InvalidLength) {
            return abi.encodeWithSelector(BallotBoxInvalidSignatureLength.selector, scheme, ballot.signature.length);
        }
        if (failure == Signatures.Failure.WrongSigner) {
            return abi.encodeWithSelector(BallotBoxInvalidSigner.selector, ballot.voter, signer);
        }
        return abi.encodeWithSelector(BallotBoxUnknownScheme.selector, scheme);
    }

    /// @dev Whether the secp256r1 precompile answers at 0x100: it verifies a known valid signature (the vector
    /// OpenZeppelin's `P256` probes with, from Wycheproof), where an empty account returns nothing.
    function _hasP256Precompile() private view returns (bool present) {
        bytes memory input = abi.encode(
            0xbb5a52f42f9c9261ed4361f59422a1e30036e7c32b270c8807a419feca605023, // sha256("123400")
            uint256(5),
            uint256(1),
            0xa71af64de5126a4a4e02b7922d66ce9415ce88a4c9d25514d91082c8725ac957,
            0x5d47723c8fbe580bb369fec9c2665d8e30a435b9932645482e7c9f11e872296b
        );
        (bool success, bytes memory output) = address(0x100).staticcall(input);
        present = success && output.length == 32 && abi.decode(output, (uint256)) == 1;
    }

    function _gasOf(Ballot calldata ballot) private pure returns (uint256 castGas, uint256 claimGas) {
        castGas = _CAST_BASE_GAS + _GAS_PER_MOVE * (ballot.fromBanks.length + ballot.toBanks.length);
        if (ballot.claim.length != 0) claimGas = _CLAIM_BASE_GAS + _GAS_PER_PROOF_HASH * ballot.claim[0].proof.length;
    }

    /// @dev The EIP-712 hash of the signed part of `ballot`, as {ballotDigest} computes it, hashing each array where
    /// it lies in calldata: copying the arrays and encoding them again would cost a relayed ballot about a tenth
    /// of its gas. Words are taken as they come; a dirty one makes a digest nobody signed.
    function _structHash(IRound round, Ballot calldata ballot) private pure returns (bytes32 hash) {
        bytes32 typeHash = BALLOT_TYPEHASH;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, typeHash)
            mstore(add(m, 0x20), round)
            mstore(add(m, 0x40), calldataload(ballot)) // voter
            mstore(add(m, 0x60), calldataload(add(ballot, 0x20))) // nonce
            mstore(add(m, 0x80), calldataload(add(ballot, 0xc0))) // deadline
            // fromBanks, fromAmounts, toBanks, toAmounts: head words 2 to 5, offsets from the ballot's start.
            let scratch := add(m, 0x120)
            for {
                let i := 0
            } lt(i, 4) {
                i := add(i, 1)
            } {
                let array := add(ballot, calldataload(add(ballot, shl(5, add(i, 2)))))
                let size := shl(5, calldataload(array))
                calldatacopy(scratch, add(array, 0x20), size)
                mstore(add(m, shl(5, add(i, 5))), keccak256(scratch, size))
            }
            hash := keccak256(m, 0x120)
        }
    }
}
