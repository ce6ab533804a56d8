// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAirdrop} from "./IAirdrop.sol";
import {IBudgetToken} from "./IBudgetToken.sol";

/// @title One participatory-budgeting round
/// @notice Lifecycle, on `block.timestamp`:
/// - Setup: the committee adds districts and projects, the minter mints the budget, the committee opens the
///   round. Everything that decides the result is frozen when the round opens or when `opensAt` passes,
///   whichever comes first.
/// - Voting, `[opensAt, closesAt)`: residents claim their allowance and put it into piggy banks of projects,
///   split as they like, and may withdraw or move it until the deadline.
/// - Closed, from `closesAt`: anyone finalizes each district; balances can no longer move.
/// - Finalized: every district has its winners.
/// The registrar may post new batches of verified residents until `closesAt`, and revoke an account that has not
/// claimed (a resident who lost the device holding its key enrols again with a new one).
interface IRound {
    /// @notice How a district's winners are chosen; fixed when the round is created.
    enum Rule {
        // Order the district's projects by tokens received (ties: lower project id first) and fund them in
        // that order while each cost fits the remaining district budget; skip those that do not fit.
        Ranked,
        // A project qualifies when its bank holds at least its cost; qualifying projects are then funded in
        // ranked order within the district budget.
        PiggyBankFull
    }

    enum Phase {
        Setup,
        Voting,
        Closed,
        Finalized
    }

    enum ImplementationStatus {
        None,
        Contracted,
        InProgress,
        Completed,
        Cancelled
    }

    /// @notice Everything a round is created with. Amounts are in kopecks (1 token = 1 ruble = 100 units).
    struct RoundConfig {
        string name;
        string tokenSymbol;
        uint256 budget;
        uint64 opensAt;
        uint64 closesAt;
        Rule rule;
        // Minimum support a project needs to win, in tokens (kopecks) and in distinct supporters; 0 = none.
        uint256 minTokens;
        uint32 minSupporters;
        // The declared allowance of a resident, in kopecks: every resident enrolled by phone receives exactly this,
        // and the registrar can post at most floor((supply - posted) / allowance) more residents. 0 = none declared
        // (every resident's amount is then the committee's, as in a replayed election).
        uint256 allowance;
        // Whether a resident enrolled by phone chooses a district once, at enrollment, and may put tokens only into
        // that district's projects (true), or may put them into any district's (false).
        bool residentsBound;
        address admin;
        uint48 adminTransferDelay;
        address committee;
        address minter;
        address registrar;
        address reporter;
    }

    struct District {
        string name;
        uint128 budget;
        uint16 projectCount;
        bool finalized;
        // Sum of the winners' costs, set when the district is finalized.
        uint128 funded;
    }

    struct Project {
        address bank;
        uint16 district;
        uint64 cost;
        uint8 category;
        bool funded;
    }

    struct Implementation {
        ImplementationStatus status;
        uint128 amountSpent;
        bytes32 documentHash;
    }

    error RoundInvalidSchedule(uint256 opensAt, uint256 closesAt);
    error RoundInvalidBudget(uint256 budget);
    error RoundInvalidMinimumSupport(uint256 minTokens);
    /// @notice Thrown when the declared allowance of a resident is above the budget.
    error RoundInvalidAllowance(uint256 allowance, uint256 budget);
    error RoundZeroAddress(string role);
    /// @notice Thrown when setup is attempted after the round opened or after `opensAt`.
    error RoundSetupFrozen(uint256 now_, uint256 opensAt, bool opened);
    error RoundAlreadyOpened();
    error RoundNotOpened();
    /// @notice Thrown when voting is attempted before `opensAt`.
    error RoundNotOpen(uint256 now_, uint256 opensAt);
    error RoundClosed(uint256 closesAt);
    error RoundNotClosed(uint256 now_, uint256 closesAt);
    error RoundTooManyDistricts(uint256 max);
    error RoundUnknownDistrict(uint256 district);
    error RoundDistrictFull(uint256 district, uint256 maxProjects);
    error RoundInvalidDistrictBudget(uint256 budget);
    error RoundDistrictBudgetsExceedBudget(uint256 districtBudgets, uint256 budget);
    error RoundDistrictBudgetsMismatch(uint256 districtBudgets, uint256 budget);
    error RoundBudgetNotMinted(uint256 supply, uint256 budget);
    error RoundEmptyName();
    error RoundInvalidProjectCost(uint256 cost, uint256 districtBudget);
    error RoundUnknownProject(uint256 projectId);
    error RoundZeroAmount(uint256 index);
    error RoundLengthMismatch(uint256 banks, uint256 amounts);
    error RoundInsufficientDeposit(address voter, address bank, uint256 deposit, uint256 amount);
    error RoundDistrictAlreadyFinalized(uint256 district);
    error RoundProjectNotFunded(uint256 projectId);
    error RoundImplementationClosed(uint256 projectId, ImplementationStatus status);
    /// @notice Thrown when a status would go back (e.g. from in progress to contracted).
    error RoundImplementationStatusBackwards(
        uint256 projectId,
        ImplementationStatus current,
        ImplementationStatus next
    );
    error RoundInvalidImplementationStatus(ImplementationStatus status);
    error RoundSpendAboveCost(uint256 projectId, uint256 amountSpent, uint256 cost);
    /// @notice Thrown when anyone but the round's ballot box votes for someone else.
    error RoundUnauthorizedBallotBox(address caller);

    event DistrictAdded(uint256 indexed district, string name, uint256 budget);
    event ProjectAdded(
        uint256 indexed projectId,
        uint256 indexed district,
        address bank,
        uint256 cost,
        uint8 category,
        bytes32 metadataHash,
        string metadataURI
    );
    event BudgetMinted(uint256 amount, uint256 supply);
    event RoundOpened(uint256 opensAt, uint256 closesAt);
    event ProjectFunded(uint256 indexed projectId, uint256 indexed district, uint256 cost, uint256 tokens);
    event DistrictFinalized(uint256 indexed district, uint256 funded, uint256 winners);
    event ImplementationRecorded(
        uint256 indexed projectId,
        ImplementationStatus status,
        uint256 amountSpent,
        bytes32 documentHash
    );

    // --- configuration, fixed at creation ---

    function COMMITTEE_ROLE() external view returns (bytes32);
    function MINTER_ROLE() external view returns (bytes32);
    function REGISTRAR_ROLE() external view returns (bytes32);
    function REPORTER_ROLE() external view returns (bytes32);
    /// @notice Most districts a round can have.
    function MAX_DISTRICTS() external view returns (uint256);
    /// @notice Most projects a district can have; keeps `finalize` within a block.
    function MAX_PROJECTS_PER_DISTRICT() external view returns (uint256);

    function name() external view returns (string memory);
    function token() external view returns (IBudgetToken);
    function airdrop() external view returns (IAirdrop);
    function piggyBankImplementation() external view returns (address);
    /// @notice The only contract allowed to vote for a resident: it checks the resident's signature.
    function ballotBox() external view returns (address);
    function budget() external view returns (uint256);
    function opensAt() external view returns (uint64);
    function closesAt() external view returns (uint64);
    function rule() external view returns (Rule);
    function minTokens() external view returns (uint256);
    function minSupporters() external view returns (uint32);
    /// @notice The declared allowance of a resident in kopecks (0 = none declared), fixed at creation.
    function allowance() external view returns (uint256);
    /// @notice Whether residents enrolled by phone are bound to the district they chose, fixed at creation.
    function residentsBound() external view returns (bool);

    // --- state ---

    function phase() external view returns (Phase);
    function opened() external view returns (bool);
    function districtCount() external view returns (uint256);
    function projectCount() external view returns (uint256);
    function finalizedDistricts() external view returns (uint256);
    function district(uint256 districtId) external view returns (District memory);
    function districtProjectIds(uint256 districtId) external view returns (uint256[] memory);
    function project(uint256 projectId) external view returns (Project memory);
    function implementationOf(uint256 projectId) external view returns (Implementation memory);
    /// @notice What `voter` has in `bank` now.
    function depositOf(address bank, address voter) external view returns (uint256);
    /// @notice How many voters have tokens in `bank` now.
    function supportersOf(address bank) external view returns (uint256);

    // --- setup (committee, minter) ---

    /// @notice Adds a district with its share of the budget. Committee, in Setup.
    function addDistrict(string calldata name, uint256 budget) external returns (uint256 districtId);

    /// @notice Adds a project and creates its piggy bank. Committee, in Setup.
    function addProject(
        uint256 districtId,
        uint256 cost,
        uint8 category,
        bytes32 metadataHash,
        string calldata metadataURI
    ) external returns (uint256 projectId, address bank);

    /// @notice Mints `amount` of the budget to the round. Minter, in Setup.
    function mint(uint256 amount) external;

    /// @notice Freezes setup and lets voting start at `opensAt`. Committee; requires the whole budget minted and
    /// the district budgets adding up to it.
    function open() external;

    /// @notice Posts a batch of verified residents. Registrar, until `closesAt`.
    function postBatch(bytes32 root, uint256 total) external returns (uint256 batchId);

    /// @notice Revokes `account`, which has not claimed its allowance: it never can from now on (see
    /// {IBudgetToken-revoke}; the token emits `AccountRevoked`). Registrar. Used when a resident enrolled by phone
    /// loses the device holding the account's key: the resident's new key is posted with the same enrollment.
    function revoke(address account) external;

    // --- voting (anyone, each for themselves) ---

    /// @notice Puts `amounts[i]` of the caller's tokens into `banks[i]`. In Voting.
    function allocate(address[] calldata banks, uint256[] calldata amounts) external;

    /// @notice Claims the caller's allowance from the airdrop and allocates it in one transaction. In Voting.
    /// (Claims alone go to {IAirdrop-claim}, which anyone may submit for anyone.)
    function claimAndAllocate(
        uint256 batchId,
        uint16 districtId,
        uint256 amount,
        bytes32 enrollment,
        bytes32[] calldata proof,
        address[] calldata banks,
        uint256[] calldata amounts
    ) external;

    /// @notice Takes `amounts[i]` of the caller's deposit back out of `banks[i]`. In Voting.
    function withdraw(address[] calldata banks, uint256[] calldata amounts) external;

    /// @notice Withdraws, then allocates, in one transaction. In Voting.
    function reallocate(
        address[] calldata fromBanks,
        uint256[] calldata fromAmounts,
        address[] calldata toBanks,
        uint256[] calldata toAmounts
    ) external;

    /// @notice Carries out `voter`'s signed ballot with nonce `nonce`: withdraws, then allocates, like `reallocate`
    /// (either side may be empty). Only the ballot box, which has checked the signature; the token consumes the
    /// nonce, which must be the voter's current one. In Voting; a ballot with no moves at all only uses up the
    /// nonce, which it may do at any time (that is how a ballot is cancelled, or a rejected one put out of use).
    function castFor(
        address voter,
        uint256 nonce,
        address[] calldata fromBanks,
        uint256[] calldata fromAmounts,
        address[] calldata toBanks,
        uint256[] calldata toAmounts
    ) external;

    // --- after the deadline ---

    /// @notice Decides the winners of `districtId` by the round's rule. Anyone, once, after `closesAt`.
    function finalize(uint256 districtId) external;

    /// @notice Records how a funded project is being implemented. Implementation reporter. The status only moves
    /// forward (contracted, in progress, completed) or to cancelled, and stays once completed or cancelled; the
    /// same status may be recorded again to correct the amount spent or the document.
    function recordImplementation(
        uint256 projectId,
        ImplementationStatus status,
        uint256 amountSpent,
        bytes32 documentHash
    ) external;
}
