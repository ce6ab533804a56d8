// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IBudgetToken} from "../interfaces/IBudgetToken.sol";
import {IRound} from "../interfaces/IRound.sol";
import {RoundFactory} from "../RoundFactory.sol";
import {RoundChecks} from "./RoundChecks.sol";
import {RoundLedger} from "./RoundLedger.sol";

/// @title Nobody can move a budget token but the round: not a resident, not a piggy bank, not the round itself
/// @notice Each test asks every kind of holder in turn (a resident with tokens in hand, a piggy bank with deposits,
/// the round with the unclaimed budget) to move an amount it really holds, and checks the books did not change.
contract BudgetTokenTest is RoundChecks {
    uint256 private constant ALLOWANCE = 1_000_00;
    uint256 private constant DEPOSIT = 400_00;

    address private resident;
    address private bank;

    function setUp() public {
        uint256[] memory budgets = _one(uint256(10_000_00));
        uint256[][] memory costs = new uint256[][](1);
        costs[0] = new uint256[](2);
        costs[0][0] = 3_000_00;
        costs[0][1] = 5_000_00;
        round = _openRound(new RoundFactory(), budgets, costs, IRound.Rule.Ranked, 0, 0);
        token = round.token();
        ledger = new RoundLedger();
        address[] memory banks = _banksOf(round, 0);
        for (uint256 i = 0; i < banks.length; ++i) ledger.addBank(banks[i]);

        resident = _resident(0);
        bank = banks[0];
        _giveAllowance(round, resident, 0, ALLOWANCE);
        ledger.addResident(resident);
        ledger.recordClaim(resident, ALLOWANCE);
        vm.prank(resident);
        round.allocate(_one(bank), _one(DEPOSIT));
        ledger.recordDeposit(bank, resident, DEPOSIT);
        _checkAll();
    }

    function testFuzz_transferIsRefusedToEveryHolder(address to, uint256 amountSeed) public {
        address[3] memory holders = _holders();
        for (uint256 h = 0; h < holders.length; ++h) {
            address holder = holders[h];
            uint256 amount = _bound(amountSeed, 1, token.balanceOf(holder));
            vm.expectRevert(abi.encodeWithSelector(IBudgetToken.BudgetTokenTransferNotAllowed.selector, holder, to));
            vm.prank(holder);
            token.transfer(to, amount);
        }
        _checkAll();
    }

    function testFuzz_transferFromIsRefusedWhoeverAsks(address spender, address to, uint256 amountSeed) public {
        address[3] memory holders = _holders();
        for (uint256 h = 0; h < holders.length; ++h) {
            address from = holders[h];
            uint256 amount = _bound(amountSeed, 1, token.balanceOf(from));
            // Neither a stranger, nor the holder itself, nor the round may pull the holder's tokens.
            address[3] memory callers = [spender, from, address(round)];
            for (uint256 c = 0; c < callers.length; ++c) {
                vm.expectRevert(abi.encodeWithSelector(IBudgetToken.BudgetTokenTransferNotAllowed.selector, from, to));
                vm.prank(callers[c]);
                token.transferFrom(from, to, amount);
            }
        }
        _checkAll();
    }

    function testFuzz_approveIsRefusedToEveryHolder(address spender, uint256 amountSeed) public {
        address[3] memory holders = _holders();
        for (uint256 h = 0; h < holders.length; ++h) {
            address holder = holders[h];
            uint256 amount = _bound(amountSeed, 1, token.balanceOf(holder));
            vm.expectRevert(
                abi.encodeWithSelector(IBudgetToken.BudgetTokenApprovalNotAllowed.selector, holder, spender)
            );
            vm.prank(holder);
            token.approve(spender, amount);
            _checkEq(token.allowance(holder, spender), 0, "no allowance");
        }
        _checkAll();
    }

    /// @dev Every kind of holder, each holding tokens.
    function _holders() private view returns (address[3] memory holders) {
        holders = [resident, bank, address(round)];
        for (uint256 h = 0; h < holders.length; ++h) _check(token.balanceOf(holders[h]) > 0, "the holder has tokens");
    }
}
