// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title Deploys a round's token (which deploys the round's airdrop) for the round that asks
/// @notice Exists only so that a round's creation code does not carry the token's and the airdrop's, which would
/// take the factory over the 24,576-byte contract size limit. The caller becomes the token's round, so calling
/// it for anything but a round deploys contracts nobody else can use.
interface IRoundParts {
    /// @notice The ballot box every round created with these parts trusts with signed ballots.
    function ballotBox() external view returns (address);

    /// @notice Deploys a budget token, and with it an airdrop, whose round is the caller.
    function deployToken(
        string calldata name,
        string calldata symbol,
        uint256 budget,
        uint64 closesAt
    ) external returns (address);
}
