// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {IAirdrop} from "./interfaces/IAirdrop.sol";

/// @title Batches of verified residents of one round
/// @notice See {IAirdrop}. Holds no tokens: it only says whether a leaf belongs to a batch and keeps each
/// batch within its declared total. The round pays, and the token refuses a second allowance to one account.
contract Airdrop is IAirdrop {
    /// @inheritdoc IAirdrop
    address public immutable round;

    Batch[] private _batches;
    uint256 private _postedTotal;
    uint256 private _claimedTotal;

    modifier onlyRound() {
        if (msg.sender != round) revert AirdropUnauthorizedCaller(msg.sender);
        _;
    }

    constructor(address round_) {
        round = round_;
    }

    /// @inheritdoc IAirdrop
    function batchCount() external view returns (uint256) {
        return _batches.length;
    }

    /// @inheritdoc IAirdrop
    function batch(uint256 batchId) external view returns (Batch memory) {
        if (batchId >= _batches.length) revert AirdropUnknownBatch(batchId);
        return _batches[batchId];
    }

    /// @inheritdoc IAirdrop
    function postedTotal() external view returns (uint256) {
        return _postedTotal;
    }

    /// @inheritdoc IAirdrop
    function claimedTotal() external view returns (uint256) {
        return _claimedTotal;
    }

    /// @inheritdoc IAirdrop
    function leafHash(address account, uint16 district, uint256 amount) public pure returns (bytes32) {
        // StandardMerkleTree hashes the ABI-encoded leaf twice, so no 64-byte internal node can pass for a leaf.
        return keccak256(bytes.concat(keccak256(abi.encode(account, district, amount))));
    }

    /// @inheritdoc IAirdrop
    function postBatch(bytes32 root, uint256 total, uint256 supply) external onlyRound returns (uint256 batchId) {
        if (root == bytes32(0)) revert AirdropZeroRoot();
        if (total == 0) revert AirdropZeroTotal();
        uint256 posted = _postedTotal;
        if (total > supply || posted > supply - total) revert AirdropTotalsExceedSupply(posted, total, supply);
        _postedTotal = posted + total;
        batchId = _batches.length;
        // The cast is safe: total <= supply <= the round's budget < 2^128.
        _batches.push(Batch({root: root, total: uint128(total), claimed: 0}));
        emit BatchPosted(batchId, root, total);
    }

    /// @inheritdoc IAirdrop
    function consume(
        uint256 batchId,
        address account,
        uint16 district,
        uint256 amount,
        bytes32[] calldata proof
    ) external onlyRound {
        if (batchId >= _batches.length) revert AirdropUnknownBatch(batchId);
        Batch storage posted = _batches[batchId];
        if (!MerkleProof.verifyCalldata(proof, posted.root, leafHash(account, district, amount))) {
            revert AirdropInvalidProof(batchId, account, district, amount);
        }
        uint256 claimed = posted.claimed;
        uint256 total = posted.total;
        if (amount > total - claimed) revert AirdropBatchExhausted(batchId, total, claimed, amount);
        // The cast is safe: claimed + amount <= total < 2^128.
        posted.claimed = uint128(claimed + amount);
        _claimedTotal += amount;
        emit Claimed(batchId, account, district, amount);
    }
}
