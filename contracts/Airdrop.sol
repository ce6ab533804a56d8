// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {IAirdrop} from "./interfaces/IAirdrop.sol";
import {IBudgetToken} from "./interfaces/IBudgetToken.sol";

/// @title Batches of verified residents of one round
/// @notice See {IAirdrop}. Holds no tokens: it checks that a leaf belongs to a batch and keeps each batch within
/// its declared total, then asks the token to hand the allowance over. The token refuses a second allowance to
/// one account, an allowance to a revoked account and any allowance before voting is opened. No view and no claim
/// grows with the number of batches: a round posting every minute for two weeks has 20,000 of them.
contract Airdrop is IAirdrop {
    /// @inheritdoc IAirdrop
    address public immutable round;
    /// @inheritdoc IAirdrop
    address public immutable token;
    /// @inheritdoc IAirdrop
    uint64 public immutable closesAt;

    /// @dev What a claim reads and writes of its batch, in one word. Found by the batch id and the root the claim's
    /// proof leads to, so that a claim reads no other word of the batch: a wrong proof finds nothing.
    struct Totals {
        uint128 total;
        uint128 claimed;
    }

    mapping(uint256 batchId => bytes32) private _roots;
    mapping(bytes32 batchKey => Totals) private _totals;
    // One word: read and written by every batch.
    uint128 private _postedTotal;
    uint128 private _batchCount;

    modifier onlyRound() {
        if (msg.sender != round) revert AirdropUnauthorizedCaller(msg.sender);
        _;
    }

    /// @dev Deployed by the token, which becomes `token`.
    constructor(address round_, uint64 closesAt_) {
        round = round_;
        token = msg.sender;
        closesAt = closesAt_;
    }

    /// @inheritdoc IAirdrop
    function batchCount() external view returns (uint256) {
        return _batchCount;
    }

    /// @inheritdoc IAirdrop
    function batch(uint256 batchId) external view returns (Batch memory) {
        if (batchId >= _batchCount) revert AirdropUnknownBatch(batchId);
        bytes32 root = _roots[batchId];
        Totals memory totals = _totals[_batchKey(batchId, root)];
        return Batch({root: root, total: totals.total, claimed: totals.claimed});
    }

    /// @inheritdoc IAirdrop
    function postedTotal() external view returns (uint256) {
        return _postedTotal;
    }

    /// @inheritdoc IAirdrop
    /// @dev The token's treasury is debited by every grant (in the word a grant reads anyway), so what was claimed is
    /// what was minted minus what the treasury still holds.
    function claimedTotal() external view returns (uint256) {
        IBudgetToken budgetToken = IBudgetToken(token);
        return budgetToken.totalSupply() - budgetToken.balanceOf(round);
    }

    /// @inheritdoc IAirdrop
    function leafHash(
        address account,
        uint16 district,
        uint256 amount,
        bytes32 enrollment
    ) public pure returns (bytes32) {
        // StandardMerkleTree hashes the ABI-encoded leaf twice, so no 64-byte internal node can pass for a leaf.
        return keccak256(bytes.concat(keccak256(abi.encode(account, district, amount, enrollment))));
    }

    /// @inheritdoc IAirdrop
    function postBatch(bytes32 root, uint256 total) external onlyRound returns (uint256 batchId) {
        if (block.timestamp >= closesAt) revert AirdropClosed(closesAt);
        if (root == bytes32(0)) revert AirdropZeroRoot();
        if (total == 0) revert AirdropZeroTotal();
        uint256 supply = IBudgetToken(token).totalSupply();
        uint256 posted = _postedTotal;
        if (total > supply || posted > supply - total) revert AirdropTotalsExceedSupply(posted, total, supply);
        batchId = _batchCount;
        // The casts are safe: posted + total <= supply <= the round's budget < 2^128.
        _postedTotal = uint128(posted + total);
        _batchCount = uint128(batchId + 1);
        _roots[batchId] = root;
        _totals[_batchKey(batchId, root)] = Totals({total: uint128(total), claimed: 0});
        emit BatchPosted(batchId, root, total);
    }

    /// @inheritdoc IAirdrop
    function claim(
        uint256 batchId,
        address account,
        uint16 district,
        uint256 amount,
        bytes32 enrollment,
        bytes32[] calldata proof
    ) external {
        if (block.timestamp >= closesAt) revert AirdropClosed(closesAt);
        bytes32 root = MerkleProof.processProofCalldata(proof, leafHash(account, district, amount, enrollment));
        Totals storage posted = _totals[_batchKey(batchId, root)];
        Totals memory totals = posted;
        // Totals are never zero, so a zero total means no batch `batchId` has this root.
        if (totals.total == 0) {
            if (batchId >= _batchCount) revert AirdropUnknownBatch(batchId);
            revert AirdropInvalidProof(batchId, account, district, amount, enrollment);
        }
        if (amount > totals.total - totals.claimed) {
            revert AirdropBatchExhausted(batchId, totals.total, totals.claimed, amount);
        }
        // The cast is safe: claimed + amount <= total < 2^128.
        posted.claimed = uint128(totals.claimed + amount);
        emit Claimed(batchId, account, district, amount, enrollment);
        IBudgetToken(token).grant(account, district, amount);
    }

    /// @dev The key of batch `batchId` with root `root` in `_totals`.
    function _batchKey(uint256 batchId, bytes32 root) private pure returns (bytes32 key) {
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            mstore(0x00, batchId)
            mstore(0x20, root)
            key := keccak256(0x00, 0x40)
        }
    }
}
