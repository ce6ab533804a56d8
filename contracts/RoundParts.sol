// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {BudgetToken} from "./BudgetToken.sol";
import {IRoundParts} from "./interfaces/IRoundParts.sol";

/// @title Deploys a round's token (which deploys the round's airdrop) for the round that asks
/// @notice See {IRoundParts}.
contract RoundParts is IRoundParts {
    /// @inheritdoc IRoundParts
    address public immutable ballotBox;

    constructor(address ballotBox_) {
        ballotBox = ballotBox_;
    }

    /// @inheritdoc IRoundParts
    function deployToken(
        string calldata name,
        string calldata symbol,
        uint256 budget,
        uint64 closesAt
    ) external returns (address) {
        return address(new BudgetToken(name, symbol, msg.sender, budget, closesAt));
    }
}
