// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title A contest of residents' initiatives, before a round: submission, screening, expert review, outcome
/// @notice Residents submit initiatives, amend them and join their initiative groups with the identity they vote
/// with (a wallet or a phone-enrolled P-256 key), by signing EIP-712 typed data that anyone may relay; the signature
/// schemes are the ballot box's (see {IBallotBox}). Who is a resident is posted by the registrar as batches of
/// Merkle leaves in the airdrop's format `(account, district, amount, enrollment)`, with this contest as the
/// enrollment's scope; the amount is not used. An initiative is `(id, version, contentHash)`: the content (the
/// canonical initiative document of the core's contest module) lives with the resident services under its keccak256,
/// only the hash is here. The committee admits each initiative to review, returns it for changes or rejects it (with
/// a published reason whose hash is here); every listed expert signs one score sheet per admitted initiative; after
/// the review deadline anyone records each admitted initiative's outcome, computed by {outcomeFor}'s rule.
///
/// Phases run on `block.timestamp`: Setup before `submissionsOpenAt`, Submissions until `submissionsCloseAt`,
/// Review until `reviewClosesAt`, then Decided. The rules (template, criteria, pass mark, minimum group, experts,
/// schedule) are fixed at creation, so they are frozen before submissions open. No loop runs over anything a
/// stranger can lengthen: criteria and experts are bounded, everything else is looked up by key.
interface IContest {
    /// @notice The phases, on `block.timestamp`.
    enum Phase {
        Setup,
        Submissions,
        Review,
        Decided
    }

    /// @notice Where an initiative stands. `Submitted` and `Returned` may be amended (see {amend}); `Admitted` is
    /// under review; `Passed` and `Failed` are recorded outcomes; `Rejected` is final.
    enum Status {
        None,
        Submitted,
        Returned,
        Admitted,
        Rejected,
        Passed,
        Failed
    }

    /// @notice One evaluation criterion: a sheet scores it from 0 to `maxScore`; its weight counts in the weighted
    /// score; `floorBps` (0 for none) is the least mean score, in basis points of `maxScore`, an initiative must get on
    /// it to pass. Its name and description are in the template (see {templateHash}), in the same order.
    struct Criterion {
        uint16 weight;
        uint16 maxScore;
        uint16 floorBps;
    }

    /// @notice What a contest is created with. Times in seconds since the epoch.
    struct ContestConfig {
        string name;
        /// @notice Holds the default admin role, which grants and revokes the committee's and registrar's roles.
        address admin;
        /// @notice The delay of a default admin transfer (see OpenZeppelin's AccessControlDefaultAdminRules).
        uint48 adminTransferDelay;
        address committee;
        address registrar;
        uint64 submissionsOpenAt;
        uint64 submissionsCloseAt;
        uint64 reviewClosesAt;
        /// @notice How many districts initiatives may name: 0 to `districtCount - 1`, as the round's districts.
        uint16 districtCount;
        /// @notice keccak256 of the published template (a content file): the application's fields and the criteria's
        /// names, in the order of `criteria`.
        bytes32 templateHash;
        /// @notice The least weighted mean score, in basis points, an initiative needs to pass.
        uint16 passMarkBps;
        /// @notice The least initiative group, the author included, for an initiative to be admitted.
        uint16 minGroup;
        /// @notice The least number of score sheets for an initiative to pass.
        uint16 minSheets;
        Criterion[] criteria;
        address[] experts;
    }

    /// @notice A resident's leaf in a posted batch, with its proof: who signs an initiative, an amendment or a
    /// co-signature.
    struct Resident {
        uint256 batchId;
        address account;
        uint16 district;
        uint256 amount;
        bytes32 enrollment;
        bytes32[] proof;
    }

    /// @notice An expert's score sheet for one version of an initiative, as signed (see {SHEET_TYPEHASH}).
    struct ScoreSheet {
        address expert;
        uint256 initiative;
        uint32 version;
        bytes32 contentHash;
        bytes32 criteriaHash;
        uint16[] scores;
        bytes32 commentHash;
        bool noConflict;
    }

    /// @notice What the contract keeps of an initiative.
    struct Initiative {
        address author;
        uint16 district;
        Status status;
        /// @notice The current version, from 1; every version's content hash is kept (see {versionHash}).
        uint32 version;
        bytes32 contentHash;
        /// @notice The number of score sheets recorded for the admitted version.
        uint32 sheets;
        /// @notice The recorded outcome's weighted score, in basis points (set with `Passed` or `Failed`).
        uint16 scoreBps;
    }

    // --- errors: setup ---

    /// @notice Thrown when the schedule is not `now < submissionsOpenAt < submissionsCloseAt < reviewClosesAt`.
    error ContestInvalidSchedule(uint64 submissionsOpenAt, uint64 submissionsCloseAt, uint64 reviewClosesAt);
    /// @notice Thrown when the name is empty.
    error ContestEmptyName();
    /// @notice Thrown when a role holder is the zero address; `role` names it.
    error ContestZeroAddress(string role);
    /// @notice Thrown when there are no districts.
    error ContestNoDistricts();
    /// @notice Thrown when there are no criteria or more than {MAX_CRITERIA}.
    error ContestInvalidCriteriaCount(uint256 count, uint256 max);
    /// @notice Thrown when a criterion has no weight, no maximum score, or a floor above 10,000 basis points.
    error ContestInvalidCriterion(uint256 index, uint16 weight, uint16 maxScore, uint16 floorBps);
    /// @notice Thrown when there are no experts or more than {MAX_EXPERTS}.
    error ContestInvalidExpertCount(uint256 count, uint256 max);
    /// @notice Thrown when an expert is the zero address or listed twice.
    error ContestInvalidExpert(uint256 index, address expert);
    /// @notice Thrown when the pass mark is above 10,000 basis points.
    error ContestInvalidPassMark(uint16 passMarkBps);
    /// @notice Thrown when the minimum number of sheets is zero or above the number of experts.
    error ContestInvalidMinSheets(uint16 minSheets, uint256 experts);
    /// @notice Thrown when the minimum group is zero.
    error ContestInvalidMinGroup();
    /// @notice Thrown on granting or revoking the expert role: the experts are frozen at creation.
    error ContestExpertsFrozen();

    // --- errors: phases and residents ---

    /// @notice Thrown when an action is outside its window `[opensAt, closesAt)`.
    error ContestOutsideWindow(uint256 opensAt, uint256 closesAt, uint256 now_);
    /// @notice Thrown when a signed message's deadline has passed.
    error ContestExpired(uint64 deadline, uint256 now_);
    /// @notice Thrown when a posted batch root is zero.
    error ContestZeroRoot();
    /// @notice Thrown when a batch id does not exist.
    error ContestUnknownBatch(uint256 batchId);
    /// @notice Thrown when a proof does not lead from the resident's leaf to the batch's root.
    error ContestNotAResident(uint256 batchId, address account, uint16 district, uint256 amount, bytes32 enrollment);

    // --- errors: signatures (the ballot box's schemes) ---

    /// @notice Thrown when the signature is not `expected`'s; `signer` is whose it is (zero when it is nobody's).
    error ContestInvalidSigner(address expected, address signer);
    /// @notice Thrown when the signature scheme is neither 0 (secp256k1) nor 1 (P-256).
    error ContestUnknownScheme(uint8 scheme);
    /// @notice Thrown when the signature's length does not fit its scheme.
    error ContestInvalidSignatureLength(uint8 scheme, uint256 length);
    /// @notice Thrown when the signature's `s` is in the upper half of the curve's order (a malleated twin).
    error ContestInvalidSignatureS(bytes32 s);

    // --- errors: initiatives ---

    /// @notice Thrown when an initiative id does not exist.
    error ContestUnknownInitiative(uint256 initiative);
    /// @notice Thrown when a district is not below the contest's district count.
    error ContestUnknownDistrict(uint16 district, uint16 districtCount);
    /// @notice Thrown when a content hash is zero.
    error ContestZeroContent();
    /// @notice Thrown when a content hash is already some initiative's version: a signed submit or amendment is used
    /// once.
    error ContestContentUsed(bytes32 contentHash);
    /// @notice Thrown when the initiative's status does not allow the action.
    error ContestWrongStatus(uint256 initiative, Status status);
    /// @notice Thrown when a message names another version than the initiative's current one.
    error ContestWrongVersion(uint256 initiative, uint32 version, uint32 current);
    /// @notice Thrown when a message names another content hash than the version's.
    error ContestWrongContent(uint256 initiative, bytes32 contentHash, bytes32 current);
    /// @notice Thrown when someone other than the author amends.
    error ContestNotAuthor(uint256 initiative, address signer, address author);
    /// @notice Thrown when a resident (`identity`: the enrollment, or the account without one) is already in the
    /// version's group.
    error ContestAlreadyInGroup(uint256 initiative, uint32 version, bytes32 identity);
    /// @notice Thrown on admitting an initiative whose current version's group is below the minimum.
    error ContestGroupTooSmall(uint256 initiative, uint256 group, uint256 minGroup);
    /// @notice Thrown when a reason's hash is zero: returning and rejecting need a published reason.
    error ContestZeroReason();

    // --- errors: review ---

    /// @notice Thrown when a sheet's signer is not a listed expert.
    error ContestNotAnExpert(address expert);
    /// @notice Thrown when the expert already scored the initiative.
    error ContestAlreadyScored(uint256 initiative, address expert);
    /// @notice Thrown when a sheet names other criteria than the contest's.
    error ContestWrongCriteria(bytes32 criteriaHash, bytes32 expected);
    /// @notice Thrown when a sheet has not one score per criterion.
    error ContestWrongScoreCount(uint256 count, uint256 expected);
    /// @notice Thrown when a score is above its criterion's maximum.
    error ContestScoreAboveMax(uint256 criterion, uint16 score, uint16 maxScore);
    /// @notice Thrown when a sheet does not state that the expert has no conflict of interest.
    error ContestConflictNotDeclared(address expert);
    /// @notice Thrown when {outcomeFor} is given not one sum per criterion.
    error ContestWrongSumCount(uint256 count, uint256 expected);

    // --- events ---

    /// @notice The registrar posted a batch of residents.
    event ResidentsPosted(uint256 indexed batchId, bytes32 root);
    /// @notice A resident submitted initiative `initiative`, version 1.
    event InitiativeSubmitted(
        uint256 indexed initiative,
        address indexed author,
        uint16 district,
        bytes32 contentHash,
        bytes32 identity
    );
    /// @notice The author made version `version` of the initiative; its group starts again with the author.
    event InitiativeAmended(uint256 indexed initiative, uint32 version, bytes32 contentHash);
    /// @notice A resident joined the group of the initiative's version `version`, which now has `group` members.
    event Cosigned(
        uint256 indexed initiative,
        uint32 version,
        address indexed cosigner,
        bytes32 identity,
        uint256 group
    );
    /// @notice The committee admitted (`Admitted`), returned (`Returned`) or rejected (`Rejected`) version `version`;
    /// `reasonHash` is the hash of the published reason (zero on admission).
    event Screened(uint256 indexed initiative, uint32 version, Status status, bytes32 reasonHash);
    /// @notice An expert's signed score sheet was recorded: the signature lets anyone check it from the log.
    event SheetSubmitted(
        uint256 indexed initiative,
        uint32 version,
        address indexed expert,
        uint16[] scores,
        bytes32 commentHash,
        uint8 scheme,
        bytes signature
    );
    /// @notice The outcome of an admitted initiative was recorded.
    event Decided(uint256 indexed initiative, uint32 version, uint256 sheets, uint16 scoreBps, bool passed);

    // --- constants and configuration ---

    /// @notice The role that screens initiatives.
    function COMMITTEE_ROLE() external view returns (bytes32);
    /// @notice The role that posts batches of residents.
    function REGISTRAR_ROLE() external view returns (bytes32);
    /// @notice The role the listed experts hold, from creation; it is never granted or revoked afterwards.
    function EXPERT_ROLE() external view returns (bytes32);
    /// @notice The most criteria a contest has.
    function MAX_CRITERIA() external view returns (uint256);
    /// @notice The most experts a contest has.
    function MAX_EXPERTS() external view returns (uint256);

    /// @notice `Submit(address author,uint16 district,bytes32 contentHash,uint64 deadline)`.
    function SUBMIT_TYPEHASH() external view returns (bytes32);
    /// @notice `Amend(address author,uint256 initiative,uint32 version,bytes32 contentHash,uint64 deadline)`, where
    /// `version` is the version amended and `contentHash` the new version's.
    function AMEND_TYPEHASH() external view returns (bytes32);
    /// @notice `Cosign(address cosigner,uint256 initiative,uint32 version,bytes32 contentHash)`.
    function COSIGN_TYPEHASH() external view returns (bytes32);
    /// @notice `ScoreSheet(address expert,uint256 initiative,uint32 version,bytes32 contentHash,bytes32 criteriaHash,
    /// uint16[] scores,bytes32 commentHash,bool noConflict)`.
    function SHEET_TYPEHASH() external view returns (bytes32);

    function name() external view returns (string memory);
    /// @notice The contract that checks residents' and experts' signatures (the factory's `SignatureVerifier`,
    /// with the ballot box's schemes).
    function signatureVerifier() external view returns (address);
    function submissionsOpenAt() external view returns (uint64);
    function submissionsCloseAt() external view returns (uint64);
    function reviewClosesAt() external view returns (uint64);
    function districtCount() external view returns (uint16);
    function templateHash() external view returns (bytes32);
    function passMarkBps() external view returns (uint16);
    function minGroup() external view returns (uint16);
    function minSheets() external view returns (uint16);

    /// @notice The criteria, in order: a sheet's scores follow it.
    function criteria() external view returns (Criterion[] memory);
    /// @notice `keccak256(abi.encode(criteria()))`: what a sheet names, so it scores these criteria.
    function criteriaHash() external view returns (bytes32);
    /// @notice The listed experts.
    function experts() external view returns (address[] memory);
    /// @notice The current phase.
    function phase() external view returns (Phase);

    // --- residents ---

    /// @notice Posts a batch of residents' leaves. Only the registrar, before the review closes.
    function postResidents(bytes32 root) external returns (uint256 batchId);
    function batchCount() external view returns (uint256);
    function batchRoot(uint256 batchId) external view returns (bytes32);
    /// @notice Who a resident is for the group count: the leaf's enrollment, or the account for a leaf without one,
    /// so that a resident enrolled from two devices counts once.
    function identityOf(address account, bytes32 enrollment) external pure returns (bytes32);

    // --- initiatives ---

    /// @notice Records a new initiative of `author`'s, during submissions; the author is its group's first
    /// member. Anyone may relay it.
    function submit(
        Resident calldata author,
        uint16 district,
        bytes32 contentHash,
        uint64 deadline,
        uint8 scheme,
        bytes calldata signature
    ) external returns (uint256 initiativeId);

    /// @notice Records a new version of the author's initiative: while `Submitted` during submissions, or while
    /// `Returned` until the review closes. The new version is `Submitted`, and its group is the author alone.
    function amend(
        uint256 initiativeId,
        uint32 version,
        bytes32 contentHash,
        uint64 deadline,
        uint8 scheme,
        bytes calldata signature
    ) external;

    /// @notice Adds a resident to the group of the initiative's current version, which the message names, while it
    /// is `Submitted` or `Returned` and the review is not closed. Anyone may relay it.
    function cosign(
        uint256 initiativeId,
        uint32 version,
        bytes32 contentHash,
        Resident calldata cosigner,
        uint8 scheme,
        bytes calldata signature
    ) external;

    /// @notice The committee admits the current version to review (its group must have reached the minimum).
    /// From the opening of submissions until the review closes.
    function admit(uint256 initiativeId, uint32 version) external;

    /// @notice The committee returns the current version for changes, with the hash of the published reason.
    function returnForChanges(uint256 initiativeId, uint32 version, bytes32 reasonHash) external;

    /// @notice The committee rejects the current version, with the hash of the published reason.
    function reject(uint256 initiativeId, uint32 version, bytes32 reasonHash) external;

    function initiativeCount() external view returns (uint256);
    function initiative(uint256 initiativeId) external view returns (Initiative memory);
    /// @notice The content hash of the initiative's version `version` (zero if there is none).
    function versionHash(uint256 initiativeId, uint32 version) external view returns (bytes32);
    /// @notice The size of the group of the initiative's version `version`, the author included.
    function groupSize(uint256 initiativeId, uint32 version) external view returns (uint256);
    function inGroup(uint256 initiativeId, uint32 version, bytes32 identity) external view returns (bool);

    // --- review ---

    /// @notice Records an expert's signed score sheet for an admitted initiative, until the review closes. One per
    /// expert and initiative; anyone may relay it.
    function submitSheet(ScoreSheet calldata sheet, uint8 scheme, bytes calldata signature) external;

    function hasScored(uint256 initiativeId, address expert) external view returns (bool);
    /// @notice The sums, per criterion, of the scores of the initiative's recorded sheets.
    function scoreSums(uint256 initiativeId) external view returns (uint256[] memory);

    /// @notice Records the outcome of each admitted initiative of `initiatives`, once the review has closed.
    /// Anyone may call it: the outcome follows from the recorded sheets alone. Skips those already decided.
    function decide(uint256[] calldata initiativeIds) external;

    /// @notice The rule: each criterion's mean score in basis points of its maximum,
    /// `critBps = sums[i] * 10000 / (maxScore * sheets)` (rounded down); the weighted score
    /// `Σ weight * critBps / Σ weight` (rounded down); an initiative passes when it has at least `minSheets` sheets,
    /// its weighted score reaches the pass mark and every criterion reaches its floor.
    function outcomeFor(uint256[] calldata sums, uint256 sheets) external view returns (uint16 scoreBps, bool passed);

    /// @notice How many initiatives passed.
    function passedCount() external view returns (uint256);

    // --- digests (EIP-712, domain "Kopilka Contest", version "1", this contract) ---

    function submitDigest(
        address author,
        uint16 district,
        bytes32 contentHash,
        uint64 deadline
    ) external view returns (bytes32);

    function amendDigest(
        address author,
        uint256 initiativeId,
        uint32 version,
        bytes32 contentHash,
        uint64 deadline
    ) external view returns (bytes32);

    function cosignDigest(
        address cosigner,
        uint256 initiativeId,
        uint32 version,
        bytes32 contentHash
    ) external view returns (bytes32);

    function sheetDigest(ScoreSheet calldata sheet) external view returns (bytes32);
}
