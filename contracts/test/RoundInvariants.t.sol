// SPDX-License-Identifier: MIT
// The handler lives here, not in a file of its own: the runner recognizes the fuzzer's target only by an
// artifact of the same compilation as the test.
// solhint-disable one-contract-per-file
pragma solidity ^0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {DistrictTally} from "../DistrictTally.sol";
import {RoundFactory} from "../RoundFactory.sol";
import {IAirdrop} from "../interfaces/IAirdrop.sol";
import {IBudgetToken} from "../interfaces/IBudgetToken.sol";
import {IRound} from "../interfaces/IRound.sol";
import {KopilkaTest} from "./KopilkaTest.sol";
import {ReferenceTally} from "./ReferenceTally.sol";

/// @title Drives a real round the way its residents and anyone after the deadline would
/// @notice The invariant fuzzer calls the actions below in random order with random arguments. Each action turns
/// its arguments into a call that must succeed (a resident who has something to move, an amount it has, a bank
/// it may support), so nearly every call changes the round; after the deadline the voting actions instead check
/// that the round refuses them. A prank applies to the very next call, views included, so every read happens
/// before it. Run with `failOnRevert`: any revert here is a failure. What the round should hold
/// is kept in ghost variables for the invariants to compare with.
contract RoundHandler is KopilkaTest {
    IRound public immutable round;
    IBudgetToken public immutable token;

    address[] public residents;
    mapping(address resident => uint16) public bindingOf;
    address[] public banks;
    mapping(uint256 districtId => address[]) private _districtBanks;

    mapping(address resident => uint256) public claimedOf;
    mapping(address bank => mapping(address resident => uint256)) public ghostDeposit;
    uint256 public ghostDeposited;
    uint256 public ghostWithdrawn;
    uint256 public ghostClaimed;

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
        for (uint256 r = 0; r < bindings.length; ++r) {
            address resident = _resident(r);
            residents.push(resident);
            bindingOf[resident] = bindings[r];
        }
        for (uint256 d = 0; d < round_.districtCount(); ++d) {
            address[] memory districtBanks = _banksOf(round_, d);
            _districtBanks[d] = districtBanks;
            for (uint256 i = 0; i < districtBanks.length; ++i) banks.push(districtBanks[i]);
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
        uint256 amount = _bound(amountSeed, 1, _min(room, round.budget() / residents.length));
        address resident = _pick(residentSeed, _unclaimed);
        if (_closed()) {
            if (resident == address(0)) resident = residents[residentSeed % residents.length];
            bytes memory refused = _postBatchRefused(resident, bindingOf[resident], amount);
            _checkRevertData(refused, abi.encodeWithSelector(IAirdrop.AirdropClosed.selector, round.closesAt()));
            return;
        }
        if (resident == address(0)) {
            _checkSecondClaimRefused(residents[residentSeed % residents.length], amount);
            return;
        }
        _giveAllowance(round, resident, bindingOf[resident], amount);
        claimedOf[resident] = amount;
        ghostClaimed += amount;
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
        for (uint256 i = 0; i < count; ++i) ghostDeposit[to[i]][resident] += amounts[i];
        ghostDeposited += _sum(amounts);
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
        uint256 amount = _bound(amountSeed, 1, ghostDeposit[bank][resident]);
        vm.prank(resident);
        round.withdraw(_one(bank), _one(amount));
        ghostDeposit[bank][resident] -= amount;
        ghostWithdrawn += amount;
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
        uint256 moved = _bound(amountSeed, 1, ghostDeposit[from][resident]);
        uint256 placed = moved + _bound(topUpSeed, 0, token.balanceOf(resident));
        address to = _reachable(resident, bankSeed >> 128);
        vm.prank(resident);
        round.reallocate(_one(from), _one(moved), _one(to), _one(placed));
        ghostDeposit[from][resident] -= moved;
        ghostDeposit[to][resident] += placed;
        ghostWithdrawn += moved;
        ghostDeposited += placed;
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
        uint256 batchId = round.postBatch(airdrop.leafHash(resident, binding, amount), amount);
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, bytes memory refused) = address(airdrop).call(
            abi.encodeCall(IAirdrop.claim, (batchId, resident, binding, amount, new bytes32[](0)))
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
        address resident = residents[residentSeed % residents.length];
        address[] memory bank = _one(_reachable(resident, bankSeed));
        uint256[] memory amount = _one(_bound(amountSeed, 1, round.budget()));
        bytes memory call =
            selector == IRound.reallocate.selector
                ? abi.encodeCall(IRound.reallocate, (bank, amount, bank, amount))
                : abi.encodeWithSelector(selector, bank, amount);
        vm.prank(resident);
        _expectClosed(_refused(call));
    }

    // --- what the invariants read ---

    function residentCount() external view returns (uint256) {
        return residents.length;
    }

    function bankCount() external view returns (uint256) {
        return banks.length;
    }

    // --- choosing ---

    function _closed() private view returns (bool) {
        return block.timestamp >= round.closesAt();
    }

    /// @dev The first resident from the seed on (wrapping) that `fits`, or zero if none does.
    function _pick(uint256 seed, function(address) view returns (bool) fits) private view returns (address) {
        uint256 n = residents.length;
        for (uint256 k = 0; k < n; ++k) {
            address resident = residents[((seed % n) + k) % n];
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
        for (uint256 b = 0; b < banks.length; ++b) if (ghostDeposit[banks[b]][resident] > 0) return true;
        return false;
    }

    /// @dev A resident with a deposit, and the first of its deposits from the bank seed on.
    function _pickDeposit(uint256 residentSeed, uint256 bankSeed) private view returns (address, address) {
        address resident = _pick(residentSeed, _hasDeposit);
        if (resident == address(0)) return (address(0), address(0));
        uint256 n = banks.length;
        for (uint256 k = 0; k < n; ++k) {
            address bank = banks[((bankSeed % n) + k) % n];
            if (ghostDeposit[bank][resident] > 0) return (resident, bank);
        }
        revert CheckFailed("a resident with a deposit has no deposit", 0, 1);
    }

    /// @dev A bank of the resident's district, or of any district when its allowance is not bound.
    function _reachable(address resident, uint256 seed) private view returns (address) {
        uint16 binding = bindingOf[resident];
        address[] storage choices = binding == token.ANY_DISTRICT() ? banks : _districtBanks[binding];
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
        bytes32 leaf = round.airdrop().leafHash(resident, binding, amount);
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

    function _sum(uint256[] memory values) private pure returns (uint256 total) {
        for (uint256 i = 0; i < values.length; ++i) total += values[i];
    }

    function _min(uint256 a, uint256 b) private pure returns (uint256) {
        return a < b ? a : b;
    }
}

/// @title What must hold at every step of a round driven by residents claiming, allocating, withdrawing and
/// moving tokens while time passes, and by anyone finalizing districts after the deadline
/// @dev The runner finds the handler and its actions through `targetContracts()` and `targetSelectors()`, the
/// Foundry convention EDR follows.
abstract contract RoundInvariants is KopilkaTest {
    struct FuzzSelector {
        address addr;
        bytes4[] selectors;
    }

    RoundHandler internal handler;
    IRound internal round;
    IBudgetToken internal token;

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

    // --- the checks, each one invariant of every concrete test below ---

    function _checkSupply() internal view {
        _checkEq(token.totalSupply(), round.budget(), "total supply is the budget");
        _check(token.supplySealed(), "the supply stays sealed");
    }

    /// @dev Every resident's tokens are in its hands or in banks, and the round's deposit records match ours.
    function _checkResidents() internal view {
        uint256 banks = handler.bankCount();
        for (uint256 r = 0; r < handler.residentCount(); ++r) {
            address resident = handler.residents(r);
            uint256 deposited = 0;
            for (uint256 b = 0; b < banks; ++b) {
                address bank = handler.banks(b);
                uint256 deposit = round.depositOf(bank, resident);
                _checkEq(deposit, handler.ghostDeposit(bank, resident), "the round's depositOf");
                deposited += deposit;
            }
            _checkEq(token.balanceOf(resident) + deposited, handler.claimedOf(resident), "balance plus deposits");
        }
    }

    /// @dev Each bank holds what was put in and not taken out, supporters are counted when the round needs them,
    /// and the round's treasury, the residents and the banks together hold the whole supply.
    function _checkBanks() internal view {
        uint256 residents = handler.residentCount();
        bool countsSupporters = round.minSupporters() > 0;
        uint256 inBanks = 0;
        for (uint256 b = 0; b < handler.bankCount(); ++b) {
            address bank = handler.banks(b);
            uint256 expected = 0;
            uint256 supporters = 0;
            for (uint256 r = 0; r < residents; ++r) {
                uint256 deposit = handler.ghostDeposit(bank, handler.residents(r));
                expected += deposit;
                if (deposit > 0) ++supporters;
            }
            _checkEq(token.balanceOf(bank), expected, "a bank holds the sum of the deposits into it");
            if (countsSupporters) _checkEq(round.supportersOf(bank), supporters, "supporters of a bank");
            inBanks += expected;
        }
        _checkEq(inBanks, handler.ghostDeposited() - handler.ghostWithdrawn(), "banks hold deposits less withdrawals");
        uint256 inHands = 0;
        for (uint256 r = 0; r < residents; ++r) inHands += token.balanceOf(handler.residents(r));
        _checkEq(token.balanceOf(address(round)) + inHands + inBanks, token.totalSupply(), "no token created or lost");
    }

    function _checkAirdrop() internal view {
        IAirdrop airdrop = round.airdrop();
        uint256 claimed = airdrop.claimedTotal();
        _checkEq(claimed, handler.ghostClaimed(), "claimed total");
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
                    supporters: _supportersOf(project.bank)
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

    function _supportersOf(address bank) private view returns (uint256 supporters) {
        for (uint256 r = 0; r < handler.residentCount(); ++r) {
            if (handler.ghostDeposit(bank, handler.residents(r)) > 0) ++supporters;
        }
    }
}

/// @notice Ranked rule, no minimum support. The runner reads the `hardhat-config` lines of the function itself,
/// not of an inherited one, so each concrete test declares its invariants.
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

    /// hardhat-config: fuzz.runs = 64
    function testFuzz_mostHandlerCallsChangeTheRound(uint256 seed) public {
        uint256 effective = _playRandomActions(seed, 100);
        _checkLe(100, 2 * effective, "at least half of the calls changed the round or were refused");
        _checkAll();
    }

    /// hardhat-config: invariant.runs = 64
    /// hardhat-config: invariant.depth = 100
    /// hardhat-config: invariant.failOnRevert = true
    function invariant_supplyIsTheBudget() public view {
        _checkSupply();
    }

    /// hardhat-config: invariant.runs = 64
    /// hardhat-config: invariant.depth = 100
    /// hardhat-config: invariant.failOnRevert = true
    function invariant_residentsKeepWhatTheyClaimed() public view {
        _checkResidents();
    }

    /// hardhat-config: invariant.runs = 64
    /// hardhat-config: invariant.depth = 100
    /// hardhat-config: invariant.failOnRevert = true
    function invariant_banksHoldWhatWasPutIn() public view {
        _checkBanks();
    }

    /// hardhat-config: invariant.runs = 64
    /// hardhat-config: invariant.depth = 100
    /// hardhat-config: invariant.failOnRevert = true
    function invariant_airdropStaysWithinTheSupply() public view {
        _checkAirdrop();
    }

    /// hardhat-config: invariant.runs = 64
    /// hardhat-config: invariant.depth = 100
    /// hardhat-config: invariant.failOnRevert = true
    function invariant_finalizedDistrictsFundWithinTheirBudget() public view {
        _checkFinalizedDistricts();
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

    /// hardhat-config: invariant.runs = 64
    /// hardhat-config: invariant.depth = 100
    /// hardhat-config: invariant.failOnRevert = true
    function invariant_supplyIsTheBudget() public view {
        _checkSupply();
    }

    /// hardhat-config: invariant.runs = 64
    /// hardhat-config: invariant.depth = 100
    /// hardhat-config: invariant.failOnRevert = true
    function invariant_residentsKeepWhatTheyClaimed() public view {
        _checkResidents();
    }

    /// hardhat-config: invariant.runs = 64
    /// hardhat-config: invariant.depth = 100
    /// hardhat-config: invariant.failOnRevert = true
    function invariant_banksHoldWhatWasPutIn() public view {
        _checkBanks();
    }

    /// hardhat-config: invariant.runs = 64
    /// hardhat-config: invariant.depth = 100
    /// hardhat-config: invariant.failOnRevert = true
    function invariant_airdropStaysWithinTheSupply() public view {
        _checkAirdrop();
    }

    /// hardhat-config: invariant.runs = 64
    /// hardhat-config: invariant.depth = 100
    /// hardhat-config: invariant.failOnRevert = true
    function invariant_finalizedDistrictsFundWithinTheirBudget() public view {
        _checkFinalizedDistricts();
    }
}
