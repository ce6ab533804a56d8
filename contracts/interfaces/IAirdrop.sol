// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title Batches of verified residents, published as Merkle roots
/// @notice The registrar verifies residents off-chain (phone, SMS, state ID) and posts each batch, through the
/// round, as the root of an OpenZeppelin StandardMerkleTree whose leaves are
/// `(address account, uint16 district, uint256 amount, bytes32 enrollment)`, with the batch's declared total.
/// `enrollment` names the verification the leaf comes from: a keyed hash of the resident's phone number for residents
/// enrolled by phone (the same for every key the resident enrols from, so that the auditor can prove none of them
/// was claimed twice), zero for residents the committee imports by address. A posted root never changes: the lists
/// only grow. Anyone may submit a claim for a leaf; the allowance always goes to the leaf's account, once per account.
interface IAirdrop {
    /// @notice One posted batch of residents.
    struct Batch {
        bytes32 root;
        uint128 total;
        uint128 claimed;
    }

    /// @notice Thrown when a function reserved to the round is called by anyone else.
    error AirdropUnauthorizedCaller(address caller);
    /// @notice Thrown when a batch root is zero.
    error AirdropZeroRoot();
    /// @notice Thrown when a batch declares a zero total.
    error AirdropZeroTotal();
    /// @notice Thrown when the declared totals would exceed the minted supply.
    error AirdropTotalsExceedSupply(uint256 postedTotal, uint256 total, uint256 supply);
    /// @notice Thrown when a batch id does not exist.
    error AirdropUnknownBatch(uint256 batchId);
    /// @notice Thrown when a proof does not lead from the leaf to the batch root.
    error AirdropInvalidProof(uint256 batchId, address account, uint16 district, uint256 amount, bytes32 enrollment);
    /// @notice Thrown when a claim would take a batch above its declared total.
    error AirdropBatchExhausted(uint256 batchId, uint256 total, uint256 claimed, uint256 amount);
    /// @notice Thrown on a claim or a batch at or after the round's deadline.
    error AirdropClosed(uint256 closesAt);

    /// @notice A batch was posted.
    event BatchPosted(uint256 indexed batchId, bytes32 root, uint256 total);
    /// @notice `account` claimed `amount` bound to `district` from batch `batchId`, with the leaf's `enrollment`.
    event Claimed(
        uint256 indexed batchId,
        address indexed account,
        uint16 district,
        uint256 amount,
        bytes32 enrollment
    );

    /// @notice The round this airdrop serves.
    function round() external view returns (address);

    /// @notice The token whose allowances this airdrop hands out; it created this airdrop.
    function token() external view returns (address);

    /// @notice The round's deadline: no claim or batch from then on.
    function closesAt() external view returns (uint64);

    /// @notice How many batches were posted.
    function batchCount() external view returns (uint256);

    /// @notice Batch `batchId`.
    function batch(uint256 batchId) external view returns (Batch memory);

    /// @notice Sum of the declared totals of all batches.
    function postedTotal() external view returns (uint256);

    /// @notice Sum of everything claimed from all batches. Costs the same however many batches were posted.
    function claimedTotal() external view returns (uint256);

    /// @notice The leaf hash of `(account, district, amount, enrollment)`, as StandardMerkleTree builds it.
    function leafHash(
        address account,
        uint16 district,
        uint256 amount,
        bytes32 enrollment
    ) external pure returns (bytes32);

    /// @notice Posts a batch; the declared totals must fit in the minted supply. Only the round.
    function postBatch(bytes32 root, uint256 total) external returns (uint256 batchId);

    /// @notice Hands `account` its allowance from batch `batchId`. Anyone may submit it; the tokens go to
    /// `account`. From the moment the round is opened until its deadline; the token refuses an account that
    /// already claimed or that the registrar revoked.
    function claim(
        uint256 batchId,
        address account,
        uint16 district,
        uint256 amount,
        bytes32 enrollment,
        bytes32[] calldata proof
    ) external;
}
