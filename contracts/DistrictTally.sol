// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IRound} from "./interfaces/IRound.sol";

/// @title The rule that picks a district's winners
/// @notice The one Solidity copy of the tally rule. Its TypeScript twin, used by the auditor, is
/// `scripts/core/src/domain/tally.ts`; the tests hold the two against each other.
library DistrictTally {
    /// @notice A project as the tally sees it. Entries come in increasing `projectId` order.
    struct Entry {
        uint256 projectId;
        uint256 cost;
        uint256 tokens;
        uint256 supporters;
    }

    /// @notice Which entries win, and what they cost together.
    /// @dev A project is eligible when it has some support (at least one kopeck), meets both minimums and,
    /// under `PiggyBankFull`, its bank holds at least its cost. Eligible projects are ranked by tokens, most
    /// first, ties to the lower project id, and funded in that order whenever their cost fits what is left of
    /// the budget; one that does not fit is skipped and the next is tried.
    function select(
        Entry[] memory entries,
        uint256 budget,
        IRound.Rule rule,
        uint256 minTokens,
        uint256 minSupporters
    ) internal pure returns (bool[] memory funded, uint256 fundedTotal) {
        uint256 n = entries.length;
        funded = new bool[](n);
        uint256[] memory order = new uint256[](n);
        uint256 eligible = 0;
        for (uint256 i = 0; i < n; ++i) {
            Entry memory entry = entries[i];
            if (
                entry.tokens == 0 ||
                entry.tokens < minTokens ||
                entry.supporters < minSupporters ||
                (rule == IRound.Rule.PiggyBankFull && entry.tokens < entry.cost)
            ) continue;
            // Insertion sort: at most 128 entries, so at most ~8k comparisons.
            uint256 j = eligible;
            while (j > 0 && _ranksBefore(entry, entries[order[j - 1]])) {
                order[j] = order[j - 1];
                --j;
            }
            order[j] = i;
            ++eligible;
        }
        uint256 remaining = budget;
        for (uint256 k = 0; k < eligible; ++k) {
            uint256 i = order[k];
            uint256 cost = entries[i].cost;
            if (cost <= remaining) {
                remaining -= cost;
                funded[i] = true;
            }
        }
        fundedTotal = budget - remaining;
    }

    function _ranksBefore(Entry memory a, Entry memory b) private pure returns (bool) {
        return a.tokens > b.tokens || (a.tokens == b.tokens && a.projectId < b.projectId);
    }
}
