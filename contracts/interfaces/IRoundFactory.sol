// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IRound} from "./IRound.sol";

/// @title Creates rounds and lists them
/// @notice An auditor needs only this contract's address: every round, its token and its airdrop are announced
/// by `RoundCreated`, and each round announces its districts, projects and banks.
interface IRoundFactory {
    /// @notice A round was created with its token and airdrop.
    event RoundCreated(
        uint256 indexed index,
        address indexed round,
        address token,
        address airdrop,
        address indexed creator,
        string name
    );

    error RoundFactoryIndexOutOfRange(uint256 index, uint256 count);

    /// @notice The piggy bank implementation every project's clone points to.
    function piggyBankImplementation() external view returns (address);

    /// @notice Creates a round. The caller receives no role unless `config` names it.
    function createRound(IRound.RoundConfig calldata config) external returns (address round);

    function roundCount() external view returns (uint256);

    function roundAt(uint256 index) external view returns (address);
}
