// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Contest} from "../Contest.sol";
import {ContestFactory} from "../ContestFactory.sol";
import {IContest} from "../interfaces/IContest.sol";
import {KopilkaTest} from "./KopilkaTest.sol";

/// @title The contest's passed set: after the review, exactly the admitted initiatives the rule passes are Passed
/// @notice Fuzzes the experts' scores (and which experts score at all) over four admitted initiatives, records the
/// outcomes, and checks each against a reference of the documented rule written here from its definition, the count
/// of passed initiatives, and `outcomeFor` on the recorded sums.
contract ContestTest is KopilkaTest {
    uint256 private constant _INITIATIVES = 4;
    uint256 private constant _EXPERTS = 3;
    uint16 private constant _PASS_MARK = 6000;
    uint16 private constant _MIN_SHEETS = 2;

    Contest private _contest;
    uint256[_EXPERTS] private _expertKeys = [uint256(0xE1), 0xE2, 0xE3];
    uint256[_INITIATIVES] private _residentKeys = [uint256(0xA1), 0xA2, 0xA3, 0xA4];
    uint16[3] private _weights = [3, 2, 1];
    uint16[3] private _maxScores = [10, 10, 5];
    uint16[3] private _floors = [0, 3000, 0];

    function setUp() public {
        ContestFactory factory = new ContestFactory();
        IContest.Criterion[] memory criteria = new IContest.Criterion[](3);
        for (uint256 i = 0; i < 3; ++i) criteria[i] = IContest.Criterion(_weights[i], _maxScores[i], _floors[i]);
        address[] memory experts = new address[](_EXPERTS);
        for (uint256 i = 0; i < _EXPERTS; ++i) experts[i] = vm.addr(_expertKeys[i]);
        uint64 opens = uint64(block.timestamp) + 1 days;
        _contest = Contest(
            factory.createContest(
                IContest.ContestConfig({
                    name: "Fuzzed contest",
                    admin: address(this),
                    adminTransferDelay: 0,
                    committee: address(this),
                    registrar: address(this),
                    submissionsOpenAt: opens,
                    submissionsCloseAt: opens + 14 days,
                    reviewClosesAt: opens + 28 days,
                    districtCount: 1,
                    templateHash: keccak256("template"),
                    passMarkBps: _PASS_MARK,
                    minGroup: 3,
                    minSheets: _MIN_SHEETS,
                    criteria: criteria,
                    experts: experts
                })
            )
        );
        // One batch per resident: a one-leaf tree's root is its leaf, and its proof is empty.
        for (uint256 i = 0; i < _INITIATIVES; ++i) _contest.postResidents(_leaf(vm.addr(_residentKeys[i])));
        vm.warp(opens);
        for (uint256 i = 0; i < _INITIATIVES; ++i) {
            bytes32 content = keccak256(abi.encode("initiative", i));
            uint256 id = _submit(i, content);
            _cosign(id, (i + 1) % _INITIATIVES, content);
            _cosign(id, (i + 2) % _INITIATIVES, content);
            _contest.admit(id, 1);
        }
        vm.warp(opens + 14 days);
    }

    /// @notice Whatever the experts score, the initiatives recorded as passed are exactly those the rule passes.
    function testFuzz_thePassedSetIsTheRulesPassedSet(uint256 seed) public {
        uint256[3][_INITIATIVES] memory sums;
        uint256[_INITIATIVES] memory sheets;
        for (uint256 id = 0; id < _INITIATIVES; ++id) {
            for (uint256 e = 0; e < _EXPERTS; ++e) {
                seed = uint256(keccak256(abi.encode(seed)));
                if (seed % 5 == 0) continue; // this expert does not score this initiative
                uint16[] memory scores = new uint16[](3);
                for (uint256 c = 0; c < 3; ++c) {
                    scores[c] = uint16((seed >> (16 * (c + 1))) % (uint256(_maxScores[c]) + 1));
                    sums[id][c] += scores[c];
                }
                _score(e, id, scores);
                ++sheets[id];
            }
        }
        vm.warp(_contest.reviewClosesAt());
        uint256[] memory ids = new uint256[](_INITIATIVES);
        for (uint256 id = 0; id < _INITIATIVES; ++id) ids[id] = id;
        _contest.decide(ids);

        uint256 passed;
        for (uint256 id = 0; id < _INITIATIVES; ++id) {
            (uint256 scoreBps, bool passes) = _reference(sums[id], sheets[id]);
            IContest.Initiative memory state = _contest.initiative(id);
            _checkEq(state.scoreBps, scoreBps, "recorded score");
            _checkEq(
                uint256(state.status),
                uint256(passes ? IContest.Status.Passed : IContest.Status.Failed),
                "status"
            );
            (uint16 again, bool againPasses) = _contest.outcomeFor(_contest.scoreSums(id), state.sheets);
            _checkEq(again, scoreBps, "outcomeFor on the recorded sums");
            _check(againPasses == passes, "outcomeFor's verdict");
            if (passes) ++passed;
        }
        _checkEq(_contest.passedCount(), passed, "passed count");
    }

    /// @dev The rule as docs/contest.md defines it, written from the definition.
    function _reference(uint256[3] memory sums, uint256 sheets) private view returns (uint256 scoreBps, bool passes) {
        if (sheets == 0) return (0, false);
        uint256 weighted;
        bool floors = true;
        for (uint256 c = 0; c < 3; ++c) {
            uint256 mean = (sums[c] * 10_000) / (uint256(_maxScores[c]) * sheets);
            if (mean < _floors[c]) floors = false;
            weighted += _weights[c] * mean;
        }
        scoreBps = weighted / (uint256(_weights[0]) + _weights[1] + _weights[2]);
        passes = sheets >= _MIN_SHEETS && scoreBps >= _PASS_MARK && floors;
    }

    function _leaf(address account) private pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(account, uint16(0), uint256(0), bytes32(0)))));
    }

    function _residentLeaf(uint256 index) private view returns (IContest.Resident memory) {
        return IContest.Resident(index, vm.addr(_residentKeys[index]), 0, 0, bytes32(0), new bytes32[](0));
    }

    function _signature(uint256 key, bytes32 digest) private pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        return abi.encodePacked(r, s, v);
    }

    function _submit(uint256 index, bytes32 content) private returns (uint256) {
        address author = vm.addr(_residentKeys[index]);
        uint64 deadline = uint64(block.timestamp + 1 hours);
        bytes32 digest = _contest.submitDigest(author, 0, content, deadline);
        return _contest.submit(_residentLeaf(index), 0, content, deadline, 0, _signature(_residentKeys[index], digest));
    }

    function _cosign(uint256 id, uint256 index, bytes32 content) private {
        bytes32 digest = _contest.cosignDigest(vm.addr(_residentKeys[index]), id, 1, content);
        _contest.cosign(id, 1, content, _residentLeaf(index), 0, _signature(_residentKeys[index], digest));
    }

    function _score(uint256 expert, uint256 id, uint16[] memory scores) private {
        IContest.ScoreSheet memory sheet = IContest.ScoreSheet({
            expert: vm.addr(_expertKeys[expert]),
            initiative: id,
            version: 1,
            contentHash: keccak256(abi.encode("initiative", id)),
            criteriaHash: _contest.criteriaHash(),
            scores: scores,
            commentHash: bytes32(0),
            noConflict: true
        });
        _contest.submitSheet(sheet, 0, _signature(_expertKeys[expert], _contest.sheetDigest(sheet)));
    }
}
