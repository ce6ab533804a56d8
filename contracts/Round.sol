// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {DistrictTally} from "./DistrictTally.sol";
import {IAirdrop} from "./interfaces/IAirdrop.sol";
import {IBudgetToken} from "./interfaces/IBudgetToken.sol";
import {IRoundParts} from "./interfaces/IRoundParts.sol";
import {IRound} from "./interfaces/IRound.sol";

/// @title One participatory-budgeting round
/// @notice See {IRound}. The round has its own token and airdrop deployed with itself as their round, so each
/// of them trusts exactly one caller. It never calls code it did not deploy: the token, the airdrop and the piggy bank clones.
contract Round is IRound, AccessControlDefaultAdminRules {
    /// @inheritdoc IRound
    bytes32 public constant COMMITTEE_ROLE = keccak256("COMMITTEE_ROLE");
    /// @inheritdoc IRound
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");
    /// @inheritdoc IRound
    bytes32 public constant REGISTRAR_ROLE = keccak256("REGISTRAR_ROLE");
    /// @inheritdoc IRound
    bytes32 public constant REPORTER_ROLE = keccak256("REPORTER_ROLE");
    /// @inheritdoc IRound
    uint256 public constant MAX_DISTRICTS = 1024;
    /// @inheritdoc IRound
    uint256 public constant MAX_PROJECTS_PER_DISTRICT = 128;

    // --- configuration, fixed at creation ---

    /// @inheritdoc IRound
    IBudgetToken public immutable token;
    /// @inheritdoc IRound
    IAirdrop public immutable airdrop;
    /// @inheritdoc IRound
    address public immutable piggyBankImplementation;
    /// @inheritdoc IRound
    address public immutable ballotBox;
    /// @inheritdoc IRound
    uint256 public immutable budget;
    /// @inheritdoc IRound
    uint64 public immutable opensAt;
    /// @inheritdoc IRound
    uint64 public immutable closesAt;
    /// @inheritdoc IRound
    Rule public immutable rule;
    /// @inheritdoc IRound
    uint256 public immutable minTokens;
    /// @inheritdoc IRound
    uint32 public immutable minSupporters;
    /// @inheritdoc IRound
    uint256 public immutable allowance;
    /// @inheritdoc IRound
    bool public immutable residentsBound;

    /// @dev Counters read together by setup and finalization, kept in one word.
    struct State {
        bool opened;
        uint16 districtCount;
        uint16 finalizedDistricts;
        uint32 projectCount;
        uint128 districtBudgets;
    }

    /// @inheritdoc IRound
    string public name;

    // --- state ---

    State private _state;
    mapping(uint256 districtId => District) private _districts;
    // Fixed-size so that ids pack eight to a word with no length word: the count lives in the district.
    mapping(uint256 districtId => uint32[MAX_PROJECTS_PER_DISTRICT]) private _districtProjects;
    mapping(uint256 projectId => Project) private _projects;
    mapping(uint256 projectId => Implementation) private _implementations;
    mapping(address bank => mapping(address voter => uint256)) private _deposits;
    // Kept only when the round has a minimum number of supporters: it costs every new depositor a word.
    mapping(address bank => uint256) private _supporters;

    constructor(
        RoundConfig memory config,
        address piggyBankImplementation_,
        IRoundParts parts
    ) AccessControlDefaultAdminRules(config.adminTransferDelay, config.admin) {
        if (config.opensAt <= block.timestamp || config.closesAt <= config.opensAt) {
            revert RoundInvalidSchedule(config.opensAt, config.closesAt);
        }
        if (config.budget == 0 || config.budget > type(uint128).max) revert RoundInvalidBudget(config.budget);
        if (config.minTokens > config.budget) revert RoundInvalidMinimumSupport(config.minTokens);
        if (config.allowance > config.budget) revert RoundInvalidAllowance(config.allowance, config.budget);
        if (bytes(config.name).length == 0) revert RoundEmptyName();
        _requireAddress(config.committee, "committee");
        _requireAddress(config.minter, "minter");
        _requireAddress(config.registrar, "registrar");
        _requireAddress(config.reporter, "reporter");
        _requireAddress(piggyBankImplementation_, "piggyBankImplementation");

        name = config.name;
        budget = config.budget;
        opensAt = config.opensAt;
        closesAt = config.closesAt;
        rule = config.rule;
        minTokens = config.minTokens;
        minSupporters = config.minSupporters;
        allowance = config.allowance;
        residentsBound = config.residentsBound;
        piggyBankImplementation = piggyBankImplementation_;
        token = IBudgetToken(parts.deployToken(config.name, config.tokenSymbol, config.budget, config.closesAt));
        airdrop = IAirdrop(token.airdrop());
        ballotBox = parts.ballotBox();

        _grantRole(COMMITTEE_ROLE, config.committee);
        _grantRole(MINTER_ROLE, config.minter);
        _grantRole(REGISTRAR_ROLE, config.registrar);
        _grantRole(REPORTER_ROLE, config.reporter);
    }

    // --- state ---

    /// @inheritdoc IRound
    function phase() external view returns (Phase) {
        State memory state = _state;
        if (block.timestamp < opensAt || (!state.opened && block.timestamp < closesAt)) return Phase.Setup;
        if (block.timestamp < closesAt) return Phase.Voting;
        if (state.opened && state.finalizedDistricts == state.districtCount) return Phase.Finalized;
        return Phase.Closed;
    }

    /// @inheritdoc IRound
    function opened() external view returns (bool) {
        return _state.opened;
    }

    /// @inheritdoc IRound
    function districtCount() external view returns (uint256) {
        return _state.districtCount;
    }

    /// @inheritdoc IRound
    function projectCount() external view returns (uint256) {
        return _state.projectCount;
    }

    /// @inheritdoc IRound
    function finalizedDistricts() external view returns (uint256) {
        return _state.finalizedDistricts;
    }

    /// @inheritdoc IRound
    function district(uint256 districtId) external view returns (District memory) {
        _requireDistrict(districtId);
        return _districts[districtId];
    }

    /// @inheritdoc IRound
    function districtProjectIds(uint256 districtId) external view returns (uint256[] memory ids) {
        _requireDistrict(districtId);
        uint32[MAX_PROJECTS_PER_DISTRICT] storage stored = _districtProjects[districtId];
        ids = new uint256[](_districts[districtId].projectCount);
        for (uint256 i = 0; i < ids.length; ++i) ids[i] = stored[i];
    }

    /// @inheritdoc IRound
    function project(uint256 projectId) external view returns (Project memory) {
        _requireProject(projectId);
        return _projects[projectId];
    }

    /// @inheritdoc IRound
    function implementationOf(uint256 projectId) external view returns (Implementation memory) {
        _requireProject(projectId);
        return _implementations[projectId];
    }

    /// @inheritdoc IRound
    function depositOf(address bank, address voter) external view returns (uint256) {
        return _deposits[bank][voter];
    }

    /// @inheritdoc IRound
    function supportersOf(address bank) external view returns (uint256) {
        return _supporters[bank];
    }

    // --- setup ---

    /// @inheritdoc IRound
    function addDistrict(string calldata name_, uint256 budget_) external onlyRole(COMMITTEE_ROLE) returns (uint256) {
        State memory state = _requireSetup();
        if (bytes(name_).length == 0) revert RoundEmptyName();
        uint256 districtId = state.districtCount;
        if (districtId == MAX_DISTRICTS) revert RoundTooManyDistricts(MAX_DISTRICTS);
        if (budget_ == 0) revert RoundInvalidDistrictBudget(budget_);
        uint256 districtBudgets = state.districtBudgets;
        if (budget_ > budget - districtBudgets) {
            revert RoundDistrictBudgetsExceedBudget(districtBudgets + budget_, budget);
        }
        // The casts are safe: budget_ and the sum are at most the round's budget < 2^128, and there are at most
        // MAX_DISTRICTS districts.
        _state.districtBudgets = uint128(districtBudgets + budget_);
        _state.districtCount = uint16(districtId + 1);
        _districts[districtId] = District({
            name: name_,
            budget: uint128(budget_),
            projectCount: 0,
            finalized: false,
            funded: 0
        });
        emit DistrictAdded(districtId, name_, budget_);
        return districtId;
    }

    /// @inheritdoc IRound
    function addProject(
        uint256 districtId,
        uint256 cost,
        uint8 category,
        bytes32 metadataHash,
        string calldata metadataURI
    ) external onlyRole(COMMITTEE_ROLE) returns (uint256 projectId, address bank) {
        State memory state = _requireSetup();
        if (districtId >= state.districtCount) revert RoundUnknownDistrict(districtId);
        District storage stored = _districts[districtId];
        uint256 indexInDistrict = stored.projectCount;
        if (indexInDistrict == MAX_PROJECTS_PER_DISTRICT) {
            revert RoundDistrictFull(districtId, MAX_PROJECTS_PER_DISTRICT);
        }
        uint256 districtBudget = stored.budget;
        if (cost == 0 || cost > districtBudget || cost > type(uint64).max) {
            revert RoundInvalidProjectCost(cost, districtBudget);
        }

        projectId = state.projectCount;
        // The casts are safe: there are at most MAX_DISTRICTS * MAX_PROJECTS_PER_DISTRICT projects, districtId <
        // MAX_DISTRICTS, and cost fits in 64 bits (checked above).
        bank = Clones.cloneWithImmutableArgs(
            piggyBankImplementation,
            abi.encodePacked(address(this), uint32(projectId), metadataHash)
        );
        _state.projectCount = uint32(projectId + 1);
        _projects[projectId] = Project({
            bank: bank,
            district: uint16(districtId),
            cost: uint64(cost),
            category: category,
            funded: false
        });
        stored.projectCount = uint16(indexInDistrict + 1);
        _districtProjects[districtId][indexInDistrict] = uint32(projectId);
        emit ProjectAdded(projectId, districtId, bank, cost, category, metadataHash, metadataURI);
        token.registerPiggyBank(bank, uint16(districtId));
    }

    /// @inheritdoc IRound
    function mint(uint256 amount) external onlyRole(MINTER_ROLE) {
        _requireSetup();
        token.mint(amount);
        emit BudgetMinted(amount, token.totalSupply());
    }

    /// @inheritdoc IRound
    function open() external onlyRole(COMMITTEE_ROLE) {
        State memory state = _state;
        if (state.opened) revert RoundAlreadyOpened();
        if (block.timestamp >= closesAt) revert RoundClosed(closesAt);
        if (state.districtBudgets != budget) revert RoundDistrictBudgetsMismatch(state.districtBudgets, budget);
        uint256 supply = token.totalSupply();
        if (supply != budget) revert RoundBudgetNotMinted(supply, budget);
        _state.opened = true;
        emit RoundOpened(opensAt, closesAt);
        token.seal();
    }

    /// @inheritdoc IRound
    function postBatch(bytes32 root, uint256 total) external onlyRole(REGISTRAR_ROLE) returns (uint256) {
        return airdrop.postBatch(root, total);
    }

    /// @inheritdoc IRound
    function revoke(address account) external onlyRole(REGISTRAR_ROLE) {
        token.revoke(account);
    }

    // --- voting ---

    /// @inheritdoc IRound
    function allocate(address[] calldata banks, uint256[] calldata amounts) external {
        _allocate(msg.sender, banks, amounts);
    }

    /// @inheritdoc IRound
    function claimAndAllocate(
        uint256 batchId,
        uint16 districtId,
        uint256 amount,
        bytes32 enrollment,
        bytes32[] calldata proof,
        address[] calldata banks,
        uint256[] calldata amounts
    ) external {
        airdrop.claim(batchId, msg.sender, districtId, amount, enrollment, proof);
        _allocate(msg.sender, banks, amounts);
    }

    /// @inheritdoc IRound
    function withdraw(address[] calldata banks, uint256[] calldata amounts) external {
        _withdraw(msg.sender, banks, amounts);
    }

    /// @inheritdoc IRound
    function reallocate(
        address[] calldata fromBanks,
        uint256[] calldata fromAmounts,
        address[] calldata toBanks,
        uint256[] calldata toAmounts
    ) external {
        _withdraw(msg.sender, fromBanks, fromAmounts);
        _allocate(msg.sender, toBanks, toAmounts);
    }

    /// @inheritdoc IRound
    function castFor(
        address voter,
        uint256 nonce,
        address[] calldata fromBanks,
        uint256[] calldata fromAmounts,
        address[] calldata toBanks,
        uint256[] calldata toAmounts
    ) external {
        if (msg.sender != ballotBox) revert RoundUnauthorizedBallotBox(msg.sender);
        // A ballot with no moves checks no phase: using up a nonce moves nothing.
        if (fromBanks.length != 0 || fromAmounts.length != 0) _withdraw(voter, fromBanks, fromAmounts);
        if (toBanks.length != 0 || toAmounts.length != 0) _recordDeposits(voter, toBanks, toAmounts);
        // The nonce shares the voter's token word with the balance the deposit writes anyway.
        token.depositSigned(voter, nonce, toBanks, toAmounts);
    }

    // --- after the deadline ---

    /// @inheritdoc IRound
    function finalize(uint256 districtId) external {
        State memory state = _state;
        if (!state.opened) revert RoundNotOpened();
        if (block.timestamp < closesAt) revert RoundNotClosed(block.timestamp, closesAt);
        if (districtId >= state.districtCount) revert RoundUnknownDistrict(districtId);
        District storage stored = _districts[districtId];
        if (stored.finalized) revert RoundDistrictAlreadyFinalized(districtId);

        bool countSupporters = minSupporters != 0;
        uint32[MAX_PROJECTS_PER_DISTRICT] storage ids = _districtProjects[districtId];
        DistrictTally.Entry[] memory entries = new DistrictTally.Entry[](stored.projectCount);
        for (uint256 i = 0; i < entries.length; ++i) {
            uint256 projectId = ids[i];
            Project storage candidate = _projects[projectId];
            address bank = candidate.bank;
            entries[i] = DistrictTally.Entry({
                projectId: projectId,
                cost: candidate.cost,
                tokens: token.balanceOf(bank),
                supporters: countSupporters ? _supporters[bank] : 0
            });
        }
        (bool[] memory funded, uint256 fundedTotal) = DistrictTally.select(
            entries,
            stored.budget,
            rule,
            minTokens,
            minSupporters
        );

        stored.finalized = true;
        // The cast is safe: fundedTotal <= the district budget < 2^128.
        stored.funded = uint128(fundedTotal);
        _state.finalizedDistricts = state.finalizedDistricts + 1;
        uint256 winners = 0;
        for (uint256 i = 0; i < entries.length; ++i) {
            if (!funded[i]) continue;
            DistrictTally.Entry memory entry = entries[i];
            _projects[entry.projectId].funded = true;
            ++winners;
            emit ProjectFunded(entry.projectId, districtId, entry.cost, entry.tokens);
        }
        emit DistrictFinalized(districtId, fundedTotal, winners);
    }

    /// @inheritdoc IRound
    function recordImplementation(
        uint256 projectId,
        ImplementationStatus status,
        uint256 amountSpent,
        bytes32 documentHash
    ) external onlyRole(REPORTER_ROLE) {
        _requireProject(projectId);
        Project storage funded = _projects[projectId];
        if (!funded.funded) revert RoundProjectNotFunded(projectId);
        if (status == ImplementationStatus.None) revert RoundInvalidImplementationStatus(status);
        if (amountSpent > funded.cost) revert RoundSpendAboveCost(projectId, amountSpent, funded.cost);
        Implementation storage record = _implementations[projectId];
        ImplementationStatus current = record.status;
        if (current == ImplementationStatus.Completed || current == ImplementationStatus.Cancelled) {
            revert RoundImplementationClosed(projectId, current);
        }
        if (status < current) revert RoundImplementationStatusBackwards(projectId, current, status);
        record.status = status;
        // The cast is safe: amountSpent <= cost < 2^64.
        record.amountSpent = uint128(amountSpent);
        record.documentHash = documentHash;
        emit ImplementationRecorded(projectId, status, amountSpent, documentHash);
    }

    // --- the one place each voter action is carried out, for whoever the voter is ---

    function _allocate(address voter, address[] calldata banks, uint256[] calldata amounts) internal {
        _recordDeposits(voter, banks, amounts);
        // The token refuses banks of other rounds or districts and amounts above the voter's balance.
        token.deposit(voter, banks, amounts);
    }

    /// @dev The round's side of an allocation; the caller then has the token move the tokens, which checks them.
    function _recordDeposits(address voter, address[] calldata banks, uint256[] calldata amounts) private {
        _requireVoting();
        if (banks.length != amounts.length) revert RoundLengthMismatch(banks.length, amounts.length);
        bool countSupporters = minSupporters != 0;
        for (uint256 i = 0; i < banks.length; ++i) {
            uint256 amount = amounts[i];
            if (amount == 0) revert RoundZeroAmount(i);
            address bank = banks[i];
            uint256 before = _deposits[bank][voter];
            // Cannot overflow: the token checks the voter holds `amount`, and all balances sum to < 2^128.
            unchecked {
                _deposits[bank][voter] = before + amount;
            }
            if (countSupporters && before == 0) ++_supporters[bank];
        }
    }

    function _withdraw(address voter, address[] calldata banks, uint256[] calldata amounts) internal {
        _requireVoting();
        if (banks.length != amounts.length) revert RoundLengthMismatch(banks.length, amounts.length);
        bool countSupporters = minSupporters != 0;
        for (uint256 i = 0; i < banks.length; ++i) {
            uint256 amount = amounts[i];
            if (amount == 0) revert RoundZeroAmount(i);
            address bank = banks[i];
            uint256 before = _deposits[bank][voter];
            if (amount > before) revert RoundInsufficientDeposit(voter, bank, before, amount);
            // Cannot underflow: checked just above.
            unchecked {
                _deposits[bank][voter] = before - amount;
            }
            if (countSupporters && before == amount) --_supporters[bank];
        }
        token.withdraw(voter, banks, amounts);
    }

    // --- checks ---

    function _requireSetup() private view returns (State memory state) {
        state = _state;
        if (state.opened || block.timestamp >= opensAt) {
            revert RoundSetupFrozen(block.timestamp, opensAt, state.opened);
        }
    }

    /// @dev No `opened` check: only residents hold tokens, and the token seals its supply, letting allowances
    /// flow, only when the round opens.
    function _requireVoting() private view {
        if (block.timestamp >= closesAt) revert RoundClosed(closesAt);
        if (block.timestamp < opensAt) revert RoundNotOpen(block.timestamp, opensAt);
    }

    function _requireDistrict(uint256 districtId) private view {
        if (districtId >= _state.districtCount) revert RoundUnknownDistrict(districtId);
    }

    function _requireProject(uint256 projectId) private view {
        if (projectId >= _state.projectCount) revert RoundUnknownProject(projectId);
    }

    function _requireAddress(address value, string memory role) private pure {
        if (value == address(0)) revert RoundZeroAddress(role);
    }
}
