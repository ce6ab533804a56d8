// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IBudgetToken} from "../interfaces/IBudgetToken.sol";
import {IRound} from "../interfaces/IRound.sol";
import {RoundFactory} from "../RoundFactory.sol";
import {RoundChecks} from "./RoundChecks.sol";
import {RoundLedger} from "./RoundLedger.sol";

/// @title Splitting an allowance over piggy banks, taking it back and moving it, with the books checked after
/// every step
contract AllocationTest is RoundChecks {
    uint256 private constant MAX_ALLOWANCE = 40_000_000_00;

    // Banks of district 0 first, then district 1.
    address[] private banks;
    uint256 private districtZeroBanks;

    function setUp() public {
        uint256[] memory budgets = new uint256[](2);
        budgets[0] = 100_000_000_00;
        budgets[1] = 50_000_000_00;
        uint256[][] memory costs = new uint256[][](2);
        costs[0] = new uint256[](4);
        costs[1] = new uint256[](2);
        for (uint256 p = 0; p < 4; ++p) costs[0][p] = 10_000_000_00 * (p + 1);
        costs[1][0] = 20_000_000_00;
        costs[1][1] = 30_000_000_00;
        round = _openRound(new RoundFactory(), budgets, costs, IRound.Rule.Ranked, 0, 0);
        token = round.token();
        banks = _banksOf(round, 0);
        districtZeroBanks = banks.length;
        address[] memory other = _banksOf(round, 1);
        for (uint256 i = 0; i < other.length; ++i) banks.push(other[i]);
        ledger = new RoundLedger();
        for (uint256 i = 0; i < banks.length; ++i) {
            ledger.addBank(banks[i]);
            vm.label(banks[i], "piggy bank");
        }
    }

    function testFuzz_splitWithdrawAndReallocateKeepTheBooks(
        uint256 allowanceSeed,
        bool anyDistrict,
        uint256[4] memory splitSeeds,
        uint256 withdrawSeed,
        uint256 reallocateSeed,
        uint256 neighbourSeed
    ) public {
        address voter = _resident(0);
        uint256 reachable = anyDistrict ? banks.length : districtZeroBanks;
        _claim(voter, anyDistrict ? _anyDistrict(round) : 0, _bound(allowanceSeed, 1, MAX_ALLOWANCE));
        // A neighbour's deposits share the banks, so a bank's balance is a sum over depositors.
        address neighbour = _resident(1);
        uint256 neighbourAllowance = _bound(neighbourSeed, 1, MAX_ALLOWANCE);
        _claim(neighbour, 0, neighbourAllowance);
        _allocate(neighbour, _one(banks[(neighbourSeed >> 128) % districtZeroBanks]), _one(neighbourAllowance));
        _checkAll();

        _split(voter, reachable, splitSeeds);
        _checkAll();
        _withdrawParts(voter, reachable, withdrawSeed);
        _checkAll();
        _moveOneDeposit(voter, reachable, reallocateSeed);
        _checkAll();
    }

    function testFuzz_allocatingMoreThanTheBalanceReverts(
        uint256 allowanceSeed,
        uint256 firstSeed,
        uint256 excessSeed,
        uint256 bankSeed
    ) public {
        address voter = _resident(0);
        uint256 allowance = _bound(allowanceSeed, 1, MAX_ALLOWANCE);
        _claim(voter, 0, allowance);
        // The first bank takes a fundable part; the second asks for more than what is then left.
        uint256 first = _bound(firstSeed, 1, allowance);
        uint256 left = allowance - first;
        uint256 asked = left + _bound(excessSeed, 1, MAX_ALLOWANCE);
        address[] memory to = new address[](2);
        to[0] = banks[bankSeed % districtZeroBanks];
        to[1] = banks[(bankSeed >> 8) % districtZeroBanks];
        uint256[] memory amounts = new uint256[](2);
        amounts[0] = first;
        amounts[1] = asked;

        vm.expectRevert(
            abi.encodeWithSelector(IBudgetToken.BudgetTokenInsufficientBalance.selector, voter, left, asked)
        );
        vm.prank(voter);
        round.allocate(to, amounts);
        _checkAll();
    }

    function testFuzz_withdrawingMoreThanTheDepositReverts(
        uint256 allowanceSeed,
        uint256 depositSeed,
        uint256 excessSeed,
        uint256 bankSeed
    ) public {
        address voter = _resident(0);
        uint256 allowance = _bound(allowanceSeed, 1, MAX_ALLOWANCE);
        _claim(voter, 0, allowance);
        address bank = banks[bankSeed % districtZeroBanks];
        uint256 deposited = _bound(depositSeed, 1, allowance);
        _allocate(voter, _one(bank), _one(deposited));
        uint256 asked = deposited + _bound(excessSeed, 1, MAX_ALLOWANCE);

        vm.expectRevert(
            abi.encodeWithSelector(IRound.RoundInsufficientDeposit.selector, voter, bank, deposited, asked)
        );
        vm.prank(voter);
        round.withdraw(_one(bank), _one(asked));
        _checkAll();
    }

    function testFuzz_allocatingOutsideTheBoundDistrictReverts(uint256 allowanceSeed, uint256 bankSeed) public {
        address voter = _resident(0);
        uint256 allowance = _bound(allowanceSeed, 1, MAX_ALLOWANCE);
        _claim(voter, 0, allowance);
        address bank = banks[districtZeroBanks + (bankSeed % (banks.length - districtZeroBanks))];

        vm.expectRevert(abi.encodeWithSelector(IBudgetToken.BudgetTokenDistrictMismatch.selector, voter, 0, 1));
        vm.prank(voter);
        round.allocate(_one(bank), _one(_bound(bankSeed >> 8, 1, allowance)));
        _checkAll();
    }

    // --- shared ---

    function _claim(address voter, uint16 districtId, uint256 amount) private {
        _giveAllowance(round, voter, districtId, amount);
        ledger.addResident(voter);
        ledger.recordClaim(voter, amount);
    }

    function _allocate(address voter, address[] memory to, uint256[] memory amounts) private {
        vm.prank(voter);
        round.allocate(to, amounts);
        for (uint256 i = 0; i < to.length; ++i) ledger.recordDeposit(to[i], voter, amounts[i]);
    }

    /// @dev Splits what `voter` holds over up to four banks, the same bank possibly more than once in one call.
    function _split(address voter, uint256 reachable, uint256[4] memory seeds) private {
        address[] memory to = new address[](4);
        uint256[] memory amounts = new uint256[](4);
        uint256 count = 0;
        uint256 left = token.balanceOf(voter);
        for (uint256 i = 0; i < 4; ++i) {
            uint256 amount = _bound(seeds[i] >> 8, 0, left);
            if (amount == 0) continue;
            to[count] = banks[seeds[i] % reachable];
            amounts[count++] = amount;
            left -= amount;
        }
        vm.assume(count > 0);
        _allocate(voter, _take(to, count), _take(amounts, count));
    }

    /// @dev Takes part of every deposit of `voter` back, in one call.
    function _withdrawParts(address voter, uint256 reachable, uint256 seed) private {
        address[] memory from = new address[](reachable);
        uint256[] memory amounts = new uint256[](reachable);
        uint256 count = 0;
        for (uint256 i = 0; i < reachable; ++i) {
            uint256 amount = _bound(_draw(seed, i), 0, round.depositOf(banks[i], voter));
            if (amount == 0) continue;
            from[count] = banks[i];
            amounts[count++] = amount;
        }
        if (count == 0) return;
        vm.prank(voter);
        round.withdraw(_take(from, count), _take(amounts, count));
        for (uint256 i = 0; i < count; ++i) ledger.recordWithdrawal(from[i], voter, amounts[i]);
    }

    /// @dev Moves part of one deposit of `voter`, plus some of what it still holds, to a bank (maybe the same).
    function _moveOneDeposit(address voter, uint256 reachable, uint256 seed) private {
        address from = _someDeposit(voter, seed % reachable, reachable);
        if (from == address(0)) return;
        uint256 moved = _bound(seed >> 8, 1, round.depositOf(from, voter));
        uint256 topUp = _bound(seed >> 128, 0, token.balanceOf(voter));
        address target = banks[(seed >> 64) % reachable];
        vm.prank(voter);
        round.reallocate(_one(from), _one(moved), _one(target), _one(moved + topUp));
        ledger.recordWithdrawal(from, voter, moved);
        ledger.recordDeposit(target, voter, moved + topUp);
    }

    /// @dev The first bank from `start` on (wrapping) where `voter` has a deposit, or zero if none.
    function _someDeposit(address voter, uint256 start, uint256 reachable) private view returns (address) {
        for (uint256 k = 0; k < reachable; ++k) {
            address bank = banks[(start + k) % reachable];
            if (round.depositOf(bank, voter) > 0) return bank;
        }
        return address(0);
    }
}
