// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {BallotBox} from "./BallotBox.sol";
import {IRound} from "./interfaces/IRound.sol";
import {IRoundFactory} from "./interfaces/IRoundFactory.sol";
import {PiggyBank} from "./PiggyBank.sol";
import {Round} from "./Round.sol";
import {RoundParts} from "./RoundParts.sol";

/// @title Creates rounds and lists them
/// @notice See {IRoundFactory}. Anyone may create a round; a round is only as trustworthy as the roles its
/// config names, which its `RoundCreated` event and its own role events make public.
contract RoundFactory is IRoundFactory {
    /// @inheritdoc IRoundFactory
    address public immutable piggyBankImplementation;

    RoundParts private immutable _parts;
    address[] private _rounds;

    constructor() {
        piggyBankImplementation = address(new PiggyBank());
        // In the constructor, not in createRound, so that its code does not count against this contract's size.
        _parts = new RoundParts(address(new BallotBox()));
    }

    /// @inheritdoc IRoundFactory
    function createRound(IRound.RoundConfig calldata config) external returns (address) {
        Round round = new Round(config, piggyBankImplementation, _parts);
        uint256 index = _rounds.length;
        _rounds.push(address(round));
        emit RoundCreated(
            index,
            address(round),
            address(round.token()),
            address(round.airdrop()),
            msg.sender,
            config.name
        );
        return address(round);
    }

    /// @inheritdoc IRoundFactory
    function roundCount() external view returns (uint256) {
        return _rounds.length;
    }

    /// @inheritdoc IRoundFactory
    function roundAt(uint256 index) external view returns (address) {
        if (index >= _rounds.length) revert RoundFactoryIndexOutOfRange(index, _rounds.length);
        return _rounds[index];
    }
}
