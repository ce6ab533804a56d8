// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {DistrictTally} from "../DistrictTally.sol";
import {IRound} from "../interfaces/IRound.sol";
import {RoundFactory} from "../RoundFactory.sol";
import {DistrictTallyHarness} from "./DistrictTallyHarness.sol";
import {KopilkaTest} from "./KopilkaTest.sol";
import {ReferenceTally} from "./ReferenceTally.sol";

/// @title The winner rule against a naive reference, on made-up districts and on real rounds
contract DistrictTallyTest is KopilkaTest {
    uint256 private constant MAX_PROJECTS = 128;
    uint256 private constant MAX_BUDGET = 1e14;

    DistrictTallyHarness private tally;
    RoundFactory private factory;

    function setUp() public {
        tally = new DistrictTallyHarness();
        factory = new RoundFactory();
    }

    // --- DistrictTally.select on made-up districts ---

    function testFuzz_selectMatchesTheReference(
        uint256 seed,
        uint256 sizeSeed,
        uint256 budgetSeed,
        bool piggyBankFull,
        uint256 minTokensSeed,
        uint256 minSupportersSeed
    ) public view {
        uint256 budget = _bound(budgetSeed, 1, MAX_BUDGET);
        DistrictTally.Entry[] memory entries = _madeUpDistrict(seed, _bound(sizeSeed, 0, MAX_PROJECTS), budget);
        IRound.Rule rule = piggyBankFull ? IRound.Rule.PiggyBankFull : IRound.Rule.Ranked;
        // Half of the runs have no minimum, so the ranking itself is what most runs exercise.
        uint256 minTokens = minTokensSeed % 2 == 0 ? 0 : _bound(minTokensSeed >> 1, 1, budget);
        uint256 minSupporters = minSupportersSeed % 2 == 0 ? 0 : _bound(minSupportersSeed >> 1, 1, 6);

        (bool[] memory funded, uint256 fundedTotal) = tally.select(entries, budget, rule, minTokens, minSupporters);
        _checkAgainstReference(entries, budget, rule, minTokens, minSupporters, funded, fundedTotal);
    }

    function test_selectFundsTiesInProjectIdOrderAndSkipsWhatDoesNotFit() public view {
        // Projects 7 and 3 tie on tokens, so 3 goes first and takes most of the budget; 7 no longer fits and
        // the smaller 9, ranked after it, still does.
        DistrictTally.Entry[] memory entries = new DistrictTally.Entry[](3);
        entries[0] = DistrictTally.Entry({projectId: 3, cost: 700, tokens: 50, supporters: 1});
        entries[1] = DistrictTally.Entry({projectId: 7, cost: 400, tokens: 50, supporters: 1});
        entries[2] = DistrictTally.Entry({projectId: 9, cost: 300, tokens: 10, supporters: 1});

        (bool[] memory funded, uint256 fundedTotal) = tally.select(entries, 1000, IRound.Rule.Ranked, 0, 0);

        _check(funded[0] && !funded[1] && funded[2], "winners are projects 3 and 9");
        _checkEq(fundedTotal, 1000, "funded total");
        _checkAgainstReference(entries, 1000, IRound.Rule.Ranked, 0, 0, funded, fundedTotal);
    }

    function test_selectLeavesOutUnsupportedAndUnderfilledProjects() public view {
        DistrictTally.Entry[] memory entries = new DistrictTally.Entry[](3);
        entries[0] = DistrictTally.Entry({projectId: 0, cost: 100, tokens: 0, supporters: 0});
        entries[1] = DistrictTally.Entry({projectId: 1, cost: 100, tokens: 99, supporters: 2});
        entries[2] = DistrictTally.Entry({projectId: 2, cost: 100, tokens: 100, supporters: 2});

        (bool[] memory funded, uint256 fundedTotal) = tally.select(entries, 1000, IRound.Rule.PiggyBankFull, 0, 0);

        _check(!funded[0] && !funded[1] && funded[2], "only the full piggy bank wins");
        _checkEq(fundedTotal, 100, "funded total");
        _checkAgainstReference(entries, 1000, IRound.Rule.PiggyBankFull, 0, 0, funded, fundedTotal);
    }

    // --- Round.finalize on real rounds ---

    function testFuzz_finalizeFundsWhatTheReferenceFunds(
        uint256 seed,
        bool piggyBankFull,
        uint256 minTokensSeed,
        uint256 minSupportersSeed
    ) public {
        // Everything is a whole number of `unit`s so that ties on tokens and costs that exactly use up what is
        // left of a budget come up in most runs.
        uint256 unit = _bound(seed, 1, 1_000_000_00);
        uint256[] memory districtBudgets = new uint256[](2);
        uint256[][] memory costs = new uint256[][](2);
        for (uint256 d = 0; d < 2; ++d) {
            districtBudgets[d] = unit * _bound(_draw(seed, d), 6, 16);
            costs[d] = new uint256[](_bound(_draw(seed, 10 + d), 1, 8));
            for (uint256 p = 0; p < costs[d].length; ++p) {
                costs[d][p] = unit * _bound(_draw(seed, 100 * (d + 1) + p), 1, districtBudgets[d] / unit);
            }
        }
        IRound.Rule rule = piggyBankFull ? IRound.Rule.PiggyBankFull : IRound.Rule.Ranked;
        uint256 minTokens = minTokensSeed % 2 == 0 ? 0 : unit * _bound(minTokensSeed >> 1, 1, 4);
        uint32 minSupporters = minSupportersSeed % 2 == 0 ? 0 : uint32(_bound(minSupportersSeed >> 1, 1, 3));
        IRound round = _openRound(factory, districtBudgets, costs, rule, minTokens, minSupporters);

        _voteAtRandom(round, seed, unit, (districtBudgets[0] + districtBudgets[1]) / unit);

        vm.warp(round.closesAt());
        for (uint256 d = 0; d < 2; ++d) {
            round.finalize(d);
            _checkFinalizedAgainstReference(round, d);
        }
        _check(round.phase() == IRound.Phase.Finalized, "the round is finalized");
    }

    // --- shared ---

    /// @dev Ties, zero support, projects just under and over their cost and unaffordable projects all need to
    /// come up often, so tokens are drawn in one of three ways chosen by the seed.
    function _madeUpDistrict(
        uint256 seed,
        uint256 size,
        uint256 budget
    ) private pure returns (DistrictTally.Entry[] memory entries) {
        entries = new DistrictTally.Entry[](size);
        uint256 tokenMode = seed % 3;
        uint256 projectId = _draw(seed, 0) % 4;
        for (uint256 i = 0; i < size; ++i) {
            uint256 word = _draw(seed, i + 1);
            uint256 cost = _bound(word, 1, budget / (1 + ((word >> 64) % 8)));
            uint256 tokens;
            if ((word >> 96) % 6 == 0) tokens = 0;
            else if (tokenMode == 0) tokens = (word >> 128) % 8;
            else if (tokenMode == 1) tokens = _bound(word >> 128, 0, budget);
            else tokens = _bound(word >> 128, cost / 2, cost + cost / 2);
            entries[i] = DistrictTally.Entry({
                projectId: projectId,
                cost: cost,
                tokens: tokens,
                supporters: (word >> 200) % 8
            });
            projectId += 1 + ((word >> 240) % 3);
        }
    }

    function _checkAgainstReference(
        DistrictTally.Entry[] memory entries,
        uint256 budget,
        IRound.Rule rule,
        uint256 minTokens,
        uint256 minSupporters,
        bool[] memory funded,
        uint256 fundedTotal
    ) private pure {
        (bool[] memory expected, uint256 expectedTotal) = ReferenceTally.select(
            entries,
            budget,
            rule,
            minTokens,
            minSupporters
        );
        _checkEq(funded.length, entries.length, "one answer per project");
        uint256 costs = 0;
        for (uint256 i = 0; i < entries.length; ++i) {
            if (funded[i] != expected[i]) revert CheckFailed("funded differs for project", entries[i].projectId, 0);
            if (funded[i]) costs += entries[i].cost;
        }
        _checkEq(fundedTotal, expectedTotal, "funded total");
        _checkEq(costs, fundedTotal, "funded total is the winners' costs");
        _checkLe(fundedTotal, budget, "funded total within the budget");
    }

    /// @dev Six residents, bound to a district or to any, each put part of a random allowance into one to three
    /// banks and some take part of it back, so supporters come and go.
    function _voteAtRandom(IRound round, uint256 seed, uint256 unit, uint256 budgetUnits) private {
        address[][] memory banks = new address[][](2);
        banks[0] = _banksOf(round, 0);
        banks[1] = _banksOf(round, 1);
        for (uint256 r = 0; r < 6; ++r) {
            address resident = _resident(r);
            uint256 word = _draw(seed, 1000 + r);
            uint16 bound = word % 3 == 2 ? _anyDistrict(round) : uint16(word % 3);
            // Six allowances always fit in the budget, which the airdrop requires of the batches.
            uint256 allowance = unit * _bound(word >> 8, 1, budgetUnits / 6);
            _giveAllowance(round, resident, bound, allowance);

            (address[] memory to, uint256[] memory amounts) = _randomSplit(round, banks, bound, allowance, unit, word);
            vm.prank(resident);
            round.allocate(to, amounts);

            if ((word >> 240) % 3 == 0) {
                // Read before the prank: the prank applies to the very next call, views included.
                uint256 everything = round.depositOf(to[0], resident);
                vm.prank(resident);
                round.withdraw(_one(to[0]), _one(everything));
            }
        }
    }

    /// @dev One to three banks the resident may support, and whole units that sum to at most `allowance`.
    function _randomSplit(
        IRound round,
        address[][] memory banks,
        uint16 bound,
        uint256 allowance,
        uint256 unit,
        uint256 word
    ) private view returns (address[] memory to, uint256[] memory amounts) {
        uint256 picks = 1 + ((word >> 200) % 3);
        to = new address[](picks);
        amounts = new uint256[](picks);
        uint256 left = allowance;
        uint256 count = 0;
        bool anyDistrict = bound == _anyDistrict(round);
        for (uint256 k = 0; k < picks && left > 0; ++k) {
            uint256 pick = _draw(word, k);
            address[] memory choices = banks[anyDistrict ? pick % 2 : bound];
            to[count] = choices[(pick >> 8) % choices.length];
            amounts[count] = unit * _bound(pick >> 16, 1, left / unit);
            left -= amounts[count++];
        }
        return (_take(to, count), _take(amounts, count));
    }

    function _checkFinalizedAgainstReference(IRound round, uint256 districtId) private view {
        uint256[] memory ids = round.districtProjectIds(districtId);
        DistrictTally.Entry[] memory entries = new DistrictTally.Entry[](ids.length);
        for (uint256 i = 0; i < ids.length; ++i) {
            IRound.Project memory project = round.project(ids[i]);
            uint256 supporters = 0;
            for (uint256 r = 0; r < 6; ++r) {
                if (round.depositOf(project.bank, _resident(r)) > 0) ++supporters;
            }
            if (round.minSupporters() > 0) {
                _checkEq(round.supportersOf(project.bank), supporters, "supporters counted by the round");
            }
            entries[i] = DistrictTally.Entry({
                projectId: ids[i],
                cost: project.cost,
                tokens: round.token().balanceOf(project.bank),
                supporters: supporters
            });
        }
        IRound.District memory district = round.district(districtId);
        (bool[] memory expected, uint256 expectedTotal) = ReferenceTally.select(
            entries,
            district.budget,
            round.rule(),
            round.minTokens(),
            round.minSupporters()
        );
        _check(district.finalized, "district finalized");
        _checkEq(district.funded, expectedTotal, "district funded total");
        for (uint256 i = 0; i < ids.length; ++i) {
            if (round.project(ids[i]).funded != expected[i])
                revert CheckFailed("funded differs for project", ids[i], 0);
        }
    }
}
