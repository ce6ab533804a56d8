// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IContest} from "./IContest.sol";

/// @title Creates contests and lists them
/// @notice Beside the {IRoundFactory}, so that the round factory stays within the contract size limit. An auditor
/// needs only this contract's address to find every contest, announced by `ContestCreated`.
interface IContestFactory {
    /// @notice A contest was created.
    event ContestCreated(uint256 indexed index, address indexed contest, address indexed creator, string name);

    error ContestFactoryIndexOutOfRange(uint256 index, uint256 count);

    /// @notice The signature checker every contest of this factory uses.
    function signatureVerifier() external view returns (address);

    /// @notice Creates a contest. The caller receives no role unless `config` names it.
    function createContest(IContest.ContestConfig calldata config) external returns (address contest);

    function contestCount() external view returns (uint256);

    function contestAt(uint256 index) external view returns (address);
}
