// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title The piggy bank of one project
/// @notice Each project of a round has its own bank: an EIP-1167 clone whose address holds the tokens residents
/// put into the project. Its round, project id and metadata hash are written into its code at creation, so they
/// cannot change. The bank's token balance is the project's public tally; who put in how much is kept by the
/// round, which writes one storage word per new depositor, and is read here.
interface IPiggyBank {
    /// @notice The round this bank belongs to.
    function round() external view returns (address);

    /// @notice The project this bank collects for.
    function projectId() external view returns (uint256);

    /// @notice Hash of the project's published metadata (title, description, image) as it was when the project
    /// was added.
    function metadataHash() external view returns (bytes32);

    /// @notice Tokens in the bank, in kopecks.
    function balance() external view returns (uint256);

    /// @notice What `depositor` has in this bank now, in kopecks.
    function depositOf(address depositor) external view returns (uint256);
}
