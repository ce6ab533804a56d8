// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IBallotBox} from "../interfaces/IBallotBox.sol";
import {IBudgetToken} from "../interfaces/IBudgetToken.sol";
import {IRound} from "../interfaces/IRound.sol";
import {RoundFactory} from "../RoundFactory.sol";
import {RoundChecks} from "./RoundChecks.sol";
import {RoundLedger} from "./RoundLedger.sol";

/// @title A signed ballot's nonce is used once and in order
/// @notice Ballots are signed here with the cheatcode signer and submitted to the round's real ballot box, which
/// has the token check and consume the resident's nonce. The books are checked after every step.
contract BallotBoxTest is RoundChecks {
    uint256 private constant ALICE_KEY = 0xA11CE;
    uint256 private constant BOB_KEY = 0xB0B;
    uint256 private constant ALLOWANCE = 1_000_00;

    IBallotBox private box;
    address private alice;
    address[] private banks;

    function setUp() public {
        uint256[] memory budgets = _one(uint256(10_000_00));
        uint256[][] memory costs = new uint256[][](1);
        costs[0] = new uint256[](3);
        costs[0][0] = 3_000_00;
        costs[0][1] = 5_000_00;
        costs[0][2] = 2_000_00;
        round = _openRound(new RoundFactory(), budgets, costs, IRound.Rule.Ranked, 0, 0);
        token = round.token();
        box = IBallotBox(round.ballotBox());
        ledger = new RoundLedger();
        banks = _banksOf(round, 0);
        for (uint256 i = 0; i < banks.length; ++i) ledger.addBank(banks[i]);
        alice = vm.addr(ALICE_KEY);
        _claim(alice);
    }

    function testFuzz_signedBallotsApplyOnceEachInNonceOrder(uint256 countSeed, uint256 bankSeed) public {
        uint256 count = _bound(countSeed, 1, 5);
        IBallotBox.Ballot[] memory ballots = new IBallotBox.Ballot[](count);
        for (uint256 i = 0; i < count; ++i) {
            ballots[i] = _signed(ALICE_KEY, uint64(i), banks[_draw(bankSeed, i) % banks.length], 1_00 * (i + 1));
        }

        box.submit(round, ballots);
        for (uint256 i = 0; i < count; ++i) _record(ballots[i]);
        _checkEq(token.nonceOf(alice), count, "one nonce used per ballot");
        _checkAll();

        // The same batch again: every ballot's nonce is used, so every one is turned away and nothing moves.
        for (uint256 i = 0; i < count; ++i) _expectRejected(alice, i, _invalidNonce(alice, count, i));
        box.submit(round, ballots);
        _checkEq(token.nonceOf(alice), count, "a replay uses no nonce");
        _checkAll();
    }

    function test_aBallotAheadOfTheNextNonceWaitsForTheOnesBefore() public {
        IBallotBox.Ballot memory first = _signed(ALICE_KEY, 0, banks[0], 100_00);
        IBallotBox.Ballot memory second = _signed(ALICE_KEY, 1, banks[1], 200_00);

        _expectRejected(alice, 1, _invalidNonce(alice, 0, 1));
        box.submit(round, _batch(second));
        _checkEq(token.nonceOf(alice), 0, "a refused ballot uses no nonce");
        _checkAll();

        IBallotBox.Ballot[] memory both = new IBallotBox.Ballot[](2);
        both[0] = first;
        both[1] = second;
        box.submit(round, both);
        _record(first);
        _record(second);
        _checkEq(token.nonceOf(alice), 2, "both nonces used, in order");
        _checkAll();
    }

    function testFuzz_cancellingUsesUpOnlyTheCurrentNonce(uint256 wrongNonce) public {
        wrongNonce = _bound(wrongNonce, 1, type(uint256).max);
        IBallotBox.Ballot memory signed = _signed(ALICE_KEY, 0, banks[0], 100_00);

        vm.expectRevert(_invalidNonce(alice, 0, wrongNonce));
        vm.prank(alice);
        box.cancel(round, wrongNonce);
        _checkEq(token.nonceOf(alice), 0, "a refused cancellation uses no nonce");

        vm.prank(alice);
        box.cancel(round, 0);
        _checkEq(token.nonceOf(alice), 1, "the cancellation used the nonce");

        vm.expectRevert(_invalidNonce(alice, 1, 0));
        vm.prank(alice);
        box.cancel(round, 0);

        _expectRejected(alice, 0, _invalidNonce(alice, 1, 0));
        box.submit(round, _batch(signed));
        _checkEq(token.nonceOf(alice), 1, "the cancelled ballot uses no nonce");
        _checkAll();
    }

    function test_aNonceUsedBeforeTheClaimStaysUsed() public {
        address bob = vm.addr(BOB_KEY);
        IBallotBox.Ballot memory signed = _signed(BOB_KEY, 0, banks[0], 100_00);
        vm.prank(bob);
        box.cancel(round, 0);

        _claim(bob);
        _checkEq(token.nonceOf(bob), 1, "the claim keeps the used nonce");
        _expectRejected(bob, 0, _invalidNonce(bob, 1, 0));
        box.submit(round, _batch(signed));
        _checkAll();
    }

    function test_directVotesLeaveTheNonceAlone() public {
        vm.prank(alice);
        round.allocate(_one(banks[0]), _one(uint256(300_00)));
        vm.prank(alice);
        round.withdraw(_one(banks[0]), _one(uint256(100_00)));
        vm.prank(alice);
        round.reallocate(_one(banks[0]), _one(uint256(100_00)), _one(banks[1]), _one(uint256(100_00)));
        ledger.recordDeposit(banks[0], alice, 300_00);
        ledger.recordWithdrawal(banks[0], alice, 200_00);
        ledger.recordDeposit(banks[1], alice, 100_00);
        _checkEq(token.nonceOf(alice), 0, "direct votes use no nonce");

        IBallotBox.Ballot memory signed = _signed(ALICE_KEY, 0, banks[2], 100_00);
        box.submit(round, _batch(signed));
        _record(signed);
        _checkEq(token.nonceOf(alice), 1, "the first signed ballot still carries nonce 0");
        _checkAll();
    }

    // --- shared ---

    function _claim(address voter) private {
        _giveAllowance(round, voter, 0, ALLOWANCE);
        ledger.addResident(voter);
        ledger.recordClaim(voter, ALLOWANCE);
    }

    /// @dev A ballot of the holder of `key` that puts `amount` into `bank`, signed for this round and ballot box.
    function _signed(
        uint256 key,
        uint64 nonce,
        address bank,
        uint256 amount
    ) private view returns (IBallotBox.Ballot memory ballot) {
        ballot.voter = vm.addr(key);
        ballot.nonce = nonce;
        ballot.toBanks = _one(bank);
        ballot.toAmounts = _one(amount);
        ballot.deadline = round.closesAt();
        bytes32 digest = box.ballotDigest(
            round,
            ballot.voter,
            nonce,
            ballot.deadline,
            ballot.fromBanks,
            ballot.fromAmounts,
            ballot.toBanks,
            ballot.toAmounts
        );
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        ballot.signature = abi.encodePacked(r, s, v);
    }

    function _batch(IBallotBox.Ballot memory ballot) private pure returns (IBallotBox.Ballot[] memory batch) {
        batch = new IBallotBox.Ballot[](1);
        batch[0] = ballot;
    }

    /// @dev Records an applied ballot's moves in the ledger.
    function _record(IBallotBox.Ballot memory ballot) private {
        for (uint256 i = 0; i < ballot.toBanks.length; ++i) {
            ledger.recordDeposit(ballot.toBanks[i], ballot.voter, ballot.toAmounts[i]);
        }
    }

    /// @dev The next call must have the ballot box report `voter`'s ballot with `nonce` as rejected for `reason`.
    function _expectRejected(address voter, uint256 nonce, bytes memory reason) private {
        vm.expectEmit(address(box));
        emit IBallotBox.BallotRejected(address(round), voter, nonce, reason);
    }

    function _invalidNonce(address voter, uint256 current, uint256 nonce) private pure returns (bytes memory) {
        return abi.encodeWithSelector(IBudgetToken.BudgetTokenInvalidNonce.selector, voter, current, nonce);
    }
}
