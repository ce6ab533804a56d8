// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Airdrop} from "./Airdrop.sol";
import {BudgetToken} from "./BudgetToken.sol";
import {IRoundParts} from "./interfaces/IRoundParts.sol";

/// @title Deploys a round's token and airdrop for the round that asks
/// @notice See {IRoundParts}.
contract RoundParts is IRoundParts {
    /// @inheritdoc IRoundParts
    function deployToken(string calldata name, string calldata symbol, uint256 budget) external returns (address) {
        return address(new BudgetToken(name, symbol, msg.sender, budget));
    }

    /// @inheritdoc IRoundParts
    function deployAirdrop() external returns (address) {
        return address(new Airdrop(msg.sender));
    }
}
