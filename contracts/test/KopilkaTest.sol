// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAirdrop} from "../interfaces/IAirdrop.sol";
import {IRound} from "../interfaces/IRound.sol";
import {RoundFactory} from "../RoundFactory.sol";
import {Vm, VM_ADDRESS} from "./Vm.sol";

/// @title What every Kopilka Solidity test shares: cheatcodes, checks that say what failed, and a real round
/// built through the factory with this contract holding every role.
abstract contract KopilkaTest {
    /// @notice A check failed; `actual` and `expected` are what was compared.
    error CheckFailed(string what, uint256 actual, uint256 expected);

    // `vm.` is how every Solidity test suite reads.
    // solhint-disable-next-line const-name-snakecase
    Vm internal constant vm = Vm(VM_ADDRESS);

    uint64 internal constant VOTING_PERIOD = 7 days;
    uint64 internal constant SETUP_PERIOD = 1 hours;

    // --- checks ---

    function _checkEq(uint256 actual, uint256 expected, string memory what) internal pure {
        if (actual != expected) revert CheckFailed(what, actual, expected);
    }

    function _checkLe(uint256 actual, uint256 limit, string memory what) internal pure {
        if (actual > limit) revert CheckFailed(what, actual, limit);
    }

    function _check(bool condition, string memory what) internal pure {
        if (!condition) revert CheckFailed(what, 0, 1);
    }

    // --- inputs ---

    /// @dev Maps any fuzzed value into [min, max] without rejecting it, so no run is wasted.
    function _bound(uint256 value, uint256 min, uint256 max) internal pure returns (uint256) {
        if (max <= min) return min;
        uint256 span = max - min;
        if (span == type(uint256).max) return value;
        return min + (value % (span + 1));
    }

    /// @dev A deterministic stream of pseudo-random words drawn from one fuzzed seed.
    function _draw(uint256 seed, uint256 index) internal pure returns (uint256) {
        return uint256(keccak256(abi.encode(seed, index)));
    }

    // --- a real round ---

    /// @notice A round created through the factory, its districts and projects added, its budget minted and the
    /// round opened, with the clock at `opensAt`. This contract holds every role.
    function _openRound(
        RoundFactory factory,
        uint256[] memory districtBudgets,
        uint256[][] memory projectCosts,
        IRound.Rule rule,
        uint256 minTokens,
        uint32 minSupporters
    ) internal returns (IRound round) {
        uint256 budget = 0;
        for (uint256 d = 0; d < districtBudgets.length; ++d) budget += districtBudgets[d];
        uint64 opensAt = uint64(block.timestamp) + SETUP_PERIOD;
        round = IRound(
            factory.createRound(
                IRound.RoundConfig({
                    name: "Kopilka test round",
                    tokenSymbol: "KPK",
                    budget: budget,
                    opensAt: opensAt,
                    closesAt: opensAt + VOTING_PERIOD,
                    rule: rule,
                    minTokens: minTokens,
                    minSupporters: minSupporters,
                    allowance: 0,
                    residentsBound: false,
                    admin: address(this),
                    adminTransferDelay: 0,
                    committee: address(this),
                    minter: address(this),
                    registrar: address(this),
                    reporter: address(this)
                })
            )
        );
        for (uint256 d = 0; d < districtBudgets.length; ++d) {
            round.addDistrict("District", districtBudgets[d]);
            for (uint256 p = 0; p < projectCosts[d].length; ++p) {
                round.addProject(d, projectCosts[d][p], 0, keccak256(abi.encode(d, p)), "ipfs://project");
            }
        }
        round.mint(budget);
        round.open();
        vm.warp(opensAt);
    }

    /// @notice Posts a one-resident batch (its root is the leaf itself, its proof empty) and claims it.
    function _giveAllowance(IRound round, address resident, uint16 districtId, uint256 amount) internal {
        IAirdrop airdrop = round.airdrop();
        uint256 batchId = round.postBatch(airdrop.leafHash(resident, districtId, amount, bytes32(0)), amount);
        airdrop.claim(batchId, resident, districtId, amount, bytes32(0), new bytes32[](0));
    }

    function _banksOf(IRound round, uint256 districtId) internal view returns (address[] memory banks) {
        uint256[] memory ids = round.districtProjectIds(districtId);
        banks = new address[](ids.length);
        for (uint256 i = 0; i < ids.length; ++i) banks[i] = round.project(ids[i]).bank;
    }

    function _anyDistrict(IRound round) internal view returns (uint16) {
        return round.token().ANY_DISTRICT();
    }

    function _resident(uint256 index) internal pure returns (address) {
        return address(uint160(0x5E51DE47000 + index));
    }

    /// @dev Takes the `n` first elements of `values` (a fixed-size scratch array turned into a call argument).
    function _take(address[] memory values, uint256 n) internal pure returns (address[] memory out) {
        out = new address[](n);
        for (uint256 i = 0; i < n; ++i) out[i] = values[i];
    }

    function _take(uint256[] memory values, uint256 n) internal pure returns (uint256[] memory out) {
        out = new uint256[](n);
        for (uint256 i = 0; i < n; ++i) out[i] = values[i];
    }

    function _one(address value) internal pure returns (address[] memory out) {
        out = new address[](1);
        out[0] = value;
    }

    function _one(uint256 value) internal pure returns (uint256[] memory out) {
        out = new uint256[](1);
        out[0] = value;
    }
}
