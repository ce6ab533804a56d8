// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {DistrictTally} from "../DistrictTally.sol";
import {IRound} from "../interfaces/IRound.sol";

/// @title A second, deliberately naive reading of the winner rule
/// @notice Written from the rule's wording, not from `DistrictTally`: no sorting, and it does not rely on the
/// entries coming in project id order. Round after round it takes the best project not yet considered (most
/// tokens, then lower project id) among the eligible ones, and funds it if its cost fits what is left.
library ReferenceTally {
    function select(
        DistrictTally.Entry[] memory entries,
        uint256 budget,
        IRound.Rule rule,
        uint256 minTokens,
        uint256 minSupporters
    ) internal pure returns (bool[] memory funded, uint256 fundedTotal) {
        uint256 n = entries.length;
        funded = new bool[](n);
        bool[] memory considered = new bool[](n);
        for (uint256 i = 0; i < n; ++i) {
            considered[i] = !_eligible(entries[i], rule, minTokens, minSupporters);
        }
        uint256 left = budget;
        while (true) {
            bool found = false;
            uint256 best = 0;
            for (uint256 i = 0; i < n; ++i) {
                if (considered[i]) continue;
                if (!found || _better(entries[i], entries[best])) {
                    best = i;
                    found = true;
                }
            }
            if (!found) break;
            considered[best] = true;
            if (entries[best].cost <= left) {
                left -= entries[best].cost;
                fundedTotal += entries[best].cost;
                funded[best] = true;
            }
        }
    }

    function _eligible(
        DistrictTally.Entry memory entry,
        IRound.Rule rule,
        uint256 minTokens,
        uint256 minSupporters
    ) private pure returns (bool) {
        if (entry.tokens == 0) return false;
        if (entry.tokens < minTokens || entry.supporters < minSupporters) return false;
        return rule == IRound.Rule.Ranked || entry.tokens >= entry.cost;
    }

    function _better(DistrictTally.Entry memory a, DistrictTally.Entry memory b) private pure returns (bool) {
        if (a.tokens != b.tokens) return a.tokens > b.tokens;
        return a.projectId < b.projectId;
    }
}
