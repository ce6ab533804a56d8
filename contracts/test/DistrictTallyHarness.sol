// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {DistrictTally} from "../DistrictTally.sol";
import {IRound} from "../interfaces/IRound.sol";

/// @title Exposes the internal `DistrictTally.select` so tests can call it on any district they make up
contract DistrictTallyHarness {
    function select(
        DistrictTally.Entry[] memory entries,
        uint256 budget,
        IRound.Rule rule,
        uint256 minTokens,
        uint256 minSupporters
    ) external pure returns (bool[] memory funded, uint256 fundedTotal) {
        return DistrictTally.select(entries, budget, rule, minTokens, minSupporters);
    }
}
