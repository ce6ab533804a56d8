// SPDX-License-Identifier: MIT
// The handler lives here, not in a file of its own: the runner recognizes the fuzzer's target only by an
// artifact of the same compilation as the test.
// solhint-disable one-contract-per-file
pragma solidity ^0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {RoundFactory} from "../RoundFactory.sol";
import {IAirdrop} from "../interfaces/IAirdrop.sol";
import {IBudgetToken} from "../interfaces/IBudgetToken.sol";
import {IRound} from "../interfaces/IRound.sol";
import {KopilkaTest} from "./KopilkaTest.sol";
import {RoundChecks} from "./RoundChecks.sol";
import {RoundLedger} from "./RoundLedger.sol";

/// @title Drives a real round the way its residents and anyone after the deadline would
/// @notice The invariant fuzzer calls the actions below in random order with random arguments. Each action turns
/// its arguments into a call that must succeed (a resident who has something to move, an amount it has, a bank
/// it may support), so nearly every call changes the round; after the deadline the voting actions instead check
/// that the round refuses them. A prank applies to the very next call, views included, so every read happens
/// before it. Run with `failOnRevert` (see `hardhat.config.ts`): any revert here is a failure. What the round
/// should hold is recorded in the handler's {RoundLedger} for the invariants to compare with.
contract RoundHandler is KopilkaTest {
    IRound public immutable round;
    IBudgetToken public immutable token;
    RoundLedger public immutable ledger;

    mapping(address resident => uint16) public bindingOf;
    mapping(uint256 districtId => address[]) private _districtBanks;

    /// @notice The round refused a call, but not with the error it should have.
    error RefusedOtherwise(bytes actual, bytes expected);

    /// @dev The clock of the run: kept here so that a warp is never lost between two calls of the fuzzer.
    uint256 public now_;

    /// @dev How many calls of each action changed the round, and how many the round rightly refused, to see that
    /// a campaign is not mostly no-ops.
    mapping(bytes32 action => uint256) public done;

    modifier atNow() {
        vm.warp(now_);
        _;
    }

    constructor(IRound round_, uint16[] memory bindings) {
        round = round_;
        token = round_.token();
        ledger = new RoundLedger();
        for (uint256 r = 0; r < bindings.length; ++r) {
            address resident = _resident(r);
            ledger.addResident(resident);
            bindingOf[resident] = bindings[r];
        }
        for (uint256 d = 0; d < round_.districtCount(); ++d) {
            address[] memory districtBanks = _banksOf(round_, d);
            _districtBanks[d] = districtBanks;
            for (uint256 i = 0; i < districtBanks.length; ++i) ledger.addBank(districtBanks[i]);
        }
        now_ = block.timestamp;
    }

    // --- actions ---

    /// @notice The registrar posts a one-resident batch and anyone submits the claim. Someone not yet paid gets
    /// the allowance; once everyone is paid, a second claim must be refused; after the deadline the airdrop must
    /// refuse the batch itself.
    function claimAllowance(uint256 residentSeed, uint256 amountSeed) external atNow {
        uint256 room = token.totalSupply() - round.airdrop().postedTotal();
        if (room == 0) return;
        uint256 amount = _bound(amountSeed, 1, _min(room, round.budget() / ledger.residentCount()));
        address resident = _pick(residentSeed, _unclaimed);
        if (_closed()) {
            if (resident == address(0)) resident = _someResident(residentSeed);
            bytes memory refused = _postBatchRefused(resident, bindingOf[resident], amount);
            _checkRevertData(refused, abi.encodeWithSelector(IAirdrop.AirdropClosed.selector, round.closesAt()));
            return;
        }
        if (resident == address(0)) {
            _checkSecondClaimRefused(_someResident(residentSeed), amount);
            return;
        }
        _giveAllowance(round, resident, bindingOf[resident], amount);
        ledger.recordClaim(resident, amount);
        ++done["claim"];
    }

    /// @notice A resident puts tokens into one to three banks it may support, the same bank possibly twice.
    function allocate(uint256 residentSeed, uint256 bankSeed, uint256 amountSeed) external atNow {
        if (_closed()) {
            _checkRefusedAfterDeadline(IRound.allocate.selector, residentSeed, bankSeed, amountSeed);
            return;
        }
        address resident = _pick(residentSeed, _holdsTokens);
        if (resident == address(0)) return;
        uint256 count = _min(1 + (bankSeed % 3), token.balanceOf(resident));
        (address[] memory to, uint256[] memory amounts) = _split(resident, count, bankSeed, amountSeed);
        vm.prank(resident);
        round.allocate(to, amounts);
        for (uint256 i = 0; i < count; ++i) ledger.recordDeposit(to[i], resident, amounts[i]);
        ++done["allocate"];
    }

    /// @notice A resident takes part or all of one deposit back.
    function withdraw(uint256 residentSeed, uint256 bankSeed, uint256 amountSeed) external atNow {
        if (_closed()) {
            _checkRefusedAfterDeadline(IRound.withdraw.selector, residentSeed, bankSeed, amountSeed);
            return;
        }
        (address resident, address bank) = _pickDeposit(residentSeed, bankSeed);
        if (resident == address(0)) return;
        uint256 amount = _bound(amountSeed, 1, ledger.depositOf(bank, resident));
        vm.prank(resident);
        round.withdraw(_one(bank), _one(amount));
        ledger.recordWithdrawal(bank, resident, amount);
        ++done["withdraw"];
    }

    /// @notice A resident moves part of one deposit, with some of what it still holds, to a bank it may support.
    function reallocate(uint256 residentSeed, uint256 bankSeed, uint256 amountSeed, uint256 topUpSeed) external atNow {
        if (_closed()) {
            _checkRefusedAfterDeadline(IRound.reallocate.selector, residentSeed, bankSeed, amountSeed);
            return;
        }
        (address resident, address from) = _pickDeposit(residentSeed, bankSeed);
        if (resident == address(0)) return;
        uint256 moved = _bound(amountSeed, 1, ledger.depositOf(from, resident));
        uint256 placed = moved + _bound(topUpSeed, 0, token.balanceOf(resident));
        address to = _reachable(resident, bankSeed >> 128);
        vm.prank(resident);
        round.reallocate(_one(from), _one(moved), _one(to), _one(placed));
        ledger.recordWithdrawal(from, resident, moved);
        ledger.recordDeposit(to, resident, placed);
        ++done["reallocate"];
    }

    /// @notice Time passes, up to a day at a time, so that a run of a hundred calls usually crosses the deadline
    /// about halfway; one warp in sixteen before the deadline lands exactly on it, the first second votes must
    /// be refused.
    function warp(uint256 secondsSeed) external {
        uint256 closesAt = round.closesAt();
        bool toTheDeadline = now_ < closesAt && secondsSeed % 16 == 0;
        now_ = toTheDeadline ? closesAt : now_ + _bound(secondsSeed >> 4, 1 hours, 1 days);
        vm.warp(now_);
        ++done["warp"];
    }

    /// @notice Anyone finalizes a district not yet finalized. Before the deadline the round must refuse, and
    /// must refuse a district finalized already.
    function finalize(uint256 districtSeed) external atNow {
        uint256 districts = round.districtCount();
        uint256 districtId = districtSeed % districts;
        if (!_closed()) {
            _checkRevertData(
                _refused(abi.encodeCall(IRound.finalize, (districtId))),
                abi.encodeWithSelector(IRound.RoundNotClosed.selector, block.timestamp, round.closesAt())
            );
            return;
        }
        if (round.district(districtId).finalized) {
            _checkRevertData(
                _refused(abi.encodeCall(IRound.finalize, (districtId))),
                abi.encodeWithSelector(IRound.RoundDistrictAlreadyFinalized.selector, districtId)
            );
            return;
        }
        round.finalize(districtId);
        ++done["finalize"];
    }

    // --- checks the actions make ---

    /// @dev Posts a batch for a resident already paid; the claim must be refused and pay nothing.
    function _checkSecondClaimRefused(address resident, uint256 amount) private {
        IAirdrop airdrop = round.airdrop();
        uint16 binding = bindingOf[resident];
        uint256 batchId = round.postBatch(airdrop.leafHash(resident, binding, amount, bytes32(0)), amount);
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, bytes memory refused) = address(airdrop).call(
            abi.encodeCall(IAirdrop.claim, (batchId, resident, binding, amount, bytes32(0), new bytes32[](0)))
        );
        _check(!ok, "a second allowance was paid");
        _checkRevertData(refused, abi.encodeWithSelector(IBudgetToken.BudgetTokenAlreadyClaimed.selector, resident));
    }

    /// @dev After the deadline, a vote of any resident for any bank is refused before anything else is looked
    /// at, whatever the resident holds.
    function _checkRefusedAfterDeadline(
        bytes4 selector,
        uint256 residentSeed,
        uint256 bankSeed,
        uint256 amountSeed
    ) private {
        address resident = _someResident(residentSeed);
        address[] memory bank = _one(_reachable(resident, bankSeed));
        uint256[] memory amount = _one(_bound(amountSeed, 1, round.budget()));
        bytes memory call =
            selector == IRound.reallocate.selector
                ? abi.encodeCall(IRound.reallocate, (bank, amount, bank, amount))
                : abi.encodeWithSelector(selector, bank, amount);
        vm.prank(resident);
        _expectClosed(_refused(call));
    }

    // --- choosing ---

    function _closed() private view returns (bool) {
        return block.timestamp >= round.closesAt();
    }

    function _someResident(uint256 seed) private view returns (address) {
        return ledger.residents(seed % ledger.residentCount());
    }

    /// @dev The first resident from the seed on (wrapping) that `fits`, or zero if none does.
    function _pick(uint256 seed, function(address) view returns (bool) fits) private view returns (address) {
        uint256 n = ledger.residentCount();
        for (uint256 k = 0; k < n; ++k) {
            address resident = ledger.residents(((seed % n) + k) % n);
            if (fits(resident)) return resident;
        }
        return address(0);
    }

    function _unclaimed(address resident) private view returns (bool) {
        (IBudgetToken.HolderKind kind, ) = token.holderOf(resident);
        return kind == IBudgetToken.HolderKind.None;
    }

    function _holdsTokens(address resident) private view returns (bool) {
        return token.balanceOf(resident) > 0;
    }

    function _hasDeposit(address resident) private view returns (bool) {
        uint256 n = ledger.bankCount();
        for (uint256 b = 0; b < n; ++b) if (ledger.depositOf(ledger.banks(b), resident) > 0) return true;
        return false;
    }

    /// @dev A resident with a deposit, and the first of its deposits from the bank seed on.
    function _pickDeposit(uint256 residentSeed, uint256 bankSeed) private view returns (address, address) {
        address resident = _pick(residentSeed, _hasDeposit);
        if (resident == address(0)) return (address(0), address(0));
        uint256 n = ledger.bankCount();
        for (uint256 k = 0; k < n; ++k) {
            address bank = ledger.banks(((bankSeed % n) + k) % n);
            if (ledger.depositOf(bank, resident) > 0) return (resident, bank);
        }
        revert CheckFailed("a resident with a deposit has no deposit", 0, 1);
    }

    /// @dev A bank of the resident's district, or of any district when its allowance is not bound.
    function _reachable(address resident, uint256 seed) private view returns (address) {
        uint16 binding = bindingOf[resident];
        if (binding == token.ANY_DISTRICT()) return ledger.banks(seed % ledger.bankCount());
        address[] storage choices = _districtBanks[binding];
        return choices[seed % choices.length];
    }

    /// @dev `count` banks and amounts of at least one kopeck that sum to at most the resident's balance.
    function _split(
        address resident,
        uint256 count,
        uint256 bankSeed,
        uint256 amountSeed
    ) private view returns (address[] memory to, uint256[] memory amounts) {
        to = new address[](count);
        amounts = new uint256[](count);
        uint256 left = token.balanceOf(resident);
        for (uint256 i = 0; i < count; ++i) {
            to[i] = _reachable(resident, _draw(bankSeed, i));
            // Leave a kopeck for each bank still to come.
            amounts[i] = _bound(_draw(amountSeed, i), 1, left - (count - 1 - i));
            left -= amounts[i];
        }
    }

    // --- calling ---

    function _postBatchRefused(address resident, uint16 binding, uint256 amount) private returns (bytes memory) {
        bytes32 leaf = round.airdrop().leafHash(resident, binding, amount, bytes32(0));
        return _refused(abi.encodeCall(IRound.postBatch, (leaf, amount)));
    }

    /// @dev Calls the round, which must refuse: returns the revert data.
    function _refused(bytes memory data) private returns (bytes memory) {
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, bytes memory returned) = address(round).call(data);
        if (ok) revert CheckFailed("the round accepted a call it should have refused", 1, 0);
        return returned;
    }

    function _expectClosed(bytes memory revertData) private {
        _checkRevertData(revertData, abi.encodeWithSelector(IRound.RoundClosed.selector, round.closesAt()));
    }

    function _checkRevertData(bytes memory actual, bytes memory expected) private {
        if (keccak256(actual) != keccak256(expected)) revert RefusedOtherwise(actual, expected);
        ++done["refused"];
    }

    function _min(uint256 a, uint256 b) private pure returns (uint256) {
        return a < b ? a : b;
    }
}

/// @title What must hold at every step of a round driven by residents claiming, allocating, withdrawing and
/// moving tokens while time passes, and by anyone finalizing districts after the deadline
/// @dev The runner finds the handler and its actions through `targetContracts()` and `targetSelectors()`, the
/// Foundry convention EDR follows. Runs, depth and `failOnRevert` are set for all invariants in
/// `hardhat.config.ts`. Each concrete test below inherits the five invariants.
abstract contract RoundInvariants is RoundChecks {
    struct FuzzSelector {
        address addr;
        bytes4[] selectors;
    }

    RoundHandler internal handler;

    function _rule() internal pure virtual returns (IRound.Rule);

    function _minTokens() internal pure virtual returns (uint256);

    function _minSupporters() internal pure virtual returns (uint32);

    function setUp() public {
        uint256[] memory budgets = new uint256[](2);
        budgets[0] = 3_000_000_00;
        budgets[1] = 2_000_000_00;
        uint256[][] memory costs = new uint256[][](2);
        costs[0] = new uint256[](3);
        costs[0][0] = 1_000_000_00;
        costs[0][1] = 1_500_000_00;
        costs[0][2] = 500_000_00;
        costs[1] = new uint256[](4);
        costs[1][0] = 800_000_00;
        costs[1][1] = 1_200_000_00;
        costs[1][2] = 400_000_00;
        costs[1][3] = 2_000_000_00;
        round = _openRound(new RoundFactory(), budgets, costs, _rule(), _minTokens(), _minSupporters());
        token = round.token();

        uint16[] memory bindings = new uint16[](5);
        bindings[0] = 0;
        bindings[1] = 0;
        bindings[2] = 1;
        bindings[3] = 1;
        bindings[4] = token.ANY_DISTRICT();
        handler = new RoundHandler(round, bindings);
        ledger = handler.ledger();
        IAccessControl(address(round)).grantRole(round.REGISTRAR_ROLE(), address(handler));
        vm.label(address(handler), "RoundHandler");
        vm.label(address(round), "Round");
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    function targetSelectors() public view returns (FuzzSelector[] memory targets) {
        bytes4[] memory actions = new bytes4[](6);
        actions[0] = RoundHandler.claimAllowance.selector;
        actions[1] = RoundHandler.allocate.selector;
        actions[2] = RoundHandler.withdraw.selector;
        actions[3] = RoundHandler.reallocate.selector;
        actions[4] = RoundHandler.warp.selector;
        actions[5] = RoundHandler.finalize.selector;
        targets = new FuzzSelector[](1);
        targets[0] = FuzzSelector({addr: address(handler), selectors: actions});
    }

    // --- the invariants, each one of the checks of {RoundChecks} ---

    function invariant_supplyIsTheBudget() public view {
        _checkSupply();
    }

    function invariant_residentsKeepWhatTheyClaimed() public view {
        _checkResidents();
    }

    function invariant_banksHoldWhatWasPutIn() public view {
        _checkBanks();
    }

    function invariant_airdropStaysWithinTheSupply() public view {
        _checkAirdrop();
    }

    function invariant_finalizedDistrictsFundWithinTheirBudget() public view {
        _checkFinalizedDistricts();
    }

    /// @dev Plays `count` actions drawn from `seed`, the way the fuzzer would, and returns how many of them
    /// changed the round or were rightly refused by it.
    function _playRandomActions(uint256 seed, uint256 count) internal returns (uint256 effective) {
        for (uint256 i = 0; i < count; ++i) {
            uint256 word = _draw(seed, i);
            uint256 action = word % 6;
            if (action == 0) handler.claimAllowance(_draw(word, 1), _draw(word, 2));
            else if (action == 1) handler.allocate(_draw(word, 1), _draw(word, 2), _draw(word, 3));
            else if (action == 2) handler.withdraw(_draw(word, 1), _draw(word, 2), _draw(word, 3));
            else if (action == 3) handler.reallocate(_draw(word, 1), _draw(word, 2), _draw(word, 3), _draw(word, 4));
            else if (action == 4) handler.warp(_draw(word, 1));
            else handler.finalize(_draw(word, 1));
        }
        bytes32[7] memory actions = [
            bytes32("claim"),
            "allocate",
            "withdraw",
            "reallocate",
            "warp",
            "finalize",
            "refused"
        ];
        for (uint256 a = 0; a < actions.length; ++a) effective += handler.done(actions[a]);
    }
}

/// @notice Ranked rule, no minimum support.
contract RankedRoundInvariantTest is RoundInvariants {
    function _rule() internal pure override returns (IRound.Rule) {
        return IRound.Rule.Ranked;
    }

    function _minTokens() internal pure override returns (uint256) {
        return 0;
    }

    function _minSupporters() internal pure override returns (uint32) {
        return 0;
    }

    function testFuzz_mostHandlerCallsChangeTheRound(uint256 seed) public {
        uint256 effective = _playRandomActions(seed, 100);
        _checkLe(100, 2 * effective, "at least half of the calls changed the round or were refused");
        _checkAll();
    }
}

/// @notice Piggy-bank-full rule with both minimums, so supporters are counted and eligibility bites.
contract PiggyBankFullRoundInvariantTest is RoundInvariants {
    function _rule() internal pure override returns (IRound.Rule) {
        return IRound.Rule.PiggyBankFull;
    }

    function _minTokens() internal pure override returns (uint256) {
        return 100_000_00;
    }

    function _minSupporters() internal pure override returns (uint32) {
        return 2;
    }
}
