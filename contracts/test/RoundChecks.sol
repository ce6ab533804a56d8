// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {DistrictTally} from "../DistrictTally.sol";
import {IAirdrop} from "../interfaces/IAirdrop.sol";
import {IBudgetToken} from "../interfaces/IBudgetToken.sol";
import {IPiggyBank} from "../interfaces/IPiggyBank.sol";
import {IRound} from "../interfaces/IRound.sol";
import {KopilkaTest} from "./KopilkaTest.sol";
import {ReferenceTally} from "./ReferenceTally.sol";
import {RoundLedger} from "./RoundLedger.sol";

/// @title The invariants of a round's books, checked against what the test recorded in a {RoundLedger}
/// @notice Declared once here for every Solidity test that drives a round: the invariant tests check them after
/// every fuzzed call, the allocation tests after every step.
abstract contract RoundChecks is KopilkaTest {
    IRound internal round;
    IBudgetToken internal token;
    RoundLedger internal ledger;

    function _checkSupply() internal view {
        _checkEq(token.totalSupply(), round.budget(), "total supply is the budget");
        _check(token.supplySealed(), "the supply stays sealed");
    }

    /// @dev Every resident's tokens are in its hands or in banks, and the round's and the piggy banks' deposit
    /// records match the ledger.
    function _checkResidents() internal view {
        uint256 banks = ledger.bankCount();
        for (uint256 r = 0; r < ledger.residentCount(); ++r) {
            address resident = ledger.residents(r);
            uint256 deposited = 0;
            for (uint256 b = 0; b < banks; ++b) {
                address bank = ledger.banks(b);
                uint256 deposit = round.depositOf(bank, resident);
                _checkEq(deposit, ledger.depositOf(bank, resident), "the round's depositOf");
                _checkEq(IPiggyBank(bank).depositOf(resident), deposit, "the piggy bank's depositOf");
                deposited += deposit;
            }
            _checkEq(token.balanceOf(resident) + deposited, ledger.claimedOf(resident), "balance plus deposits");
        }
    }

    /// @dev Each bank holds what was put in and not taken out, supporters are counted when the round needs them,
    /// and the round's treasury, the residents and the banks together hold the whole supply.
    function _checkBanks() internal view {
        uint256 residents = ledger.residentCount();
        bool countsSupporters = round.minSupporters() > 0;
        uint256 inBanks = 0;
        for (uint256 b = 0; b < ledger.bankCount(); ++b) {
            address bank = ledger.banks(b);
            uint256 expected = 0;
            for (uint256 r = 0; r < residents; ++r) expected += ledger.depositOf(bank, ledger.residents(r));
            uint256 held = token.balanceOf(bank);
            _checkEq(held, expected, "a bank holds the sum of the deposits into it");
            _checkEq(IPiggyBank(bank).balance(), held, "the piggy bank's balance");
            if (countsSupporters) _checkEq(round.supportersOf(bank), ledger.supportersOf(bank), "supporters of a bank");
            inBanks += expected;
        }
        _checkEq(inBanks, ledger.depositedTotal() - ledger.withdrawnTotal(), "banks hold deposits less withdrawals");
        uint256 inHands = 0;
        for (uint256 r = 0; r < residents; ++r) inHands += token.balanceOf(ledger.residents(r));
        _checkEq(token.balanceOf(address(round)) + inHands + inBanks, token.totalSupply(), "no token created or lost");
    }

    function _checkAirdrop() internal view {
        IAirdrop airdrop = round.airdrop();
        uint256 claimed = airdrop.claimedTotal();
        _checkEq(claimed, ledger.claimedTotal(), "claimed total");
        _checkLe(claimed, airdrop.postedTotal(), "claimed within what was posted");
        _checkLe(airdrop.postedTotal(), token.totalSupply(), "posted within the supply");
        _checkEq(token.balanceOf(address(round)), token.totalSupply() - claimed, "the round keeps what is unclaimed");
    }

    /// @dev A finalized district funds exactly what the reference rule funds, for what its winners cost, within
    /// its budget; a district not yet finalized funds nothing.
    function _checkFinalizedDistricts() internal view {
        uint256 finalized = 0;
        for (uint256 d = 0; d < round.districtCount(); ++d) {
            IRound.District memory district = round.district(d);
            uint256[] memory ids = round.districtProjectIds(d);
            DistrictTally.Entry[] memory entries = new DistrictTally.Entry[](ids.length);
            uint256 costs = 0;
            for (uint256 i = 0; i < ids.length; ++i) {
                IRound.Project memory project = round.project(ids[i]);
                if (project.funded) costs += project.cost;
                entries[i] = DistrictTally.Entry({
                    projectId: ids[i],
                    cost: project.cost,
                    tokens: token.balanceOf(project.bank),
                    supporters: ledger.supportersOf(project.bank)
                });
            }
            _checkEq(costs, district.funded, "the funded total is the winners' costs");
            if (!district.finalized) {
                _checkEq(costs, 0, "nothing funded before finalization");
                continue;
            }
            ++finalized;
            _checkLe(district.funded, district.budget, "funded within the district budget");
            (bool[] memory expected, ) = ReferenceTally.select(
                entries,
                district.budget,
                round.rule(),
                round.minTokens(),
                round.minSupporters()
            );
            for (uint256 i = 0; i < ids.length; ++i) {
                if (round.project(ids[i]).funded != expected[i]) {
                    revert CheckFailed("funded differs from the reference for project", ids[i], 0);
                }
            }
        }
        _checkEq(round.finalizedDistricts(), finalized, "finalized districts");
    }

    function _checkAll() internal view {
        _checkSupply();
        _checkResidents();
        _checkBanks();
        _checkAirdrop();
        _checkFinalizedDistricts();
    }
}
