// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Contest} from "./Contest.sol";
import {IContest} from "./interfaces/IContest.sol";
import {IContestFactory} from "./interfaces/IContestFactory.sol";
import {SignatureVerifier} from "./SignatureVerifier.sol";

/// @title Creates contests and lists them
/// @notice See {IContestFactory}. Anyone may create a contest; a contest is only as trustworthy as the roles and
/// experts its config names, which its `ContestCreated` event and its own role events make public.
contract ContestFactory is IContestFactory {
    /// @inheritdoc IContestFactory
    address public immutable signatureVerifier;

    address[] private _contests;

    constructor() {
        signatureVerifier = address(new SignatureVerifier());
    }

    /// @inheritdoc IContestFactory
    function createContest(IContest.ContestConfig calldata config) external returns (address) {
        Contest contest = new Contest(config, signatureVerifier);
        uint256 index = _contests.length;
        _contests.push(address(contest));
        emit ContestCreated(index, address(contest), msg.sender, config.name);
        return address(contest);
    }

    /// @inheritdoc IContestFactory
    function contestCount() external view returns (uint256) {
        return _contests.length;
    }

    /// @inheritdoc IContestFactory
    function contestAt(uint256 index) external view returns (address) {
        if (index >= _contests.length) revert ContestFactoryIndexOutOfRange(index, _contests.length);
        return _contests[index];
    }
}
