// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {IContest} from "./interfaces/IContest.sol";
import {Signatures} from "./Signatures.sol";
import {SignatureVerifier} from "./SignatureVerifier.sol";

/// @title A contest of residents' initiatives
/// @notice See {IContest}.
contract Contest is IContest, AccessControlDefaultAdminRules, EIP712 {
    /// @inheritdoc IContest
    bytes32 public constant COMMITTEE_ROLE = keccak256("COMMITTEE_ROLE");
    /// @inheritdoc IContest
    bytes32 public constant REGISTRAR_ROLE = keccak256("REGISTRAR_ROLE");
    /// @inheritdoc IContest
    bytes32 public constant EXPERT_ROLE = keccak256("EXPERT_ROLE");
    /// @inheritdoc IContest
    uint256 public constant MAX_CRITERIA = 16;
    /// @inheritdoc IContest
    uint256 public constant MAX_EXPERTS = 32;

    /// @inheritdoc IContest
    bytes32 public constant SUBMIT_TYPEHASH = keccak256(
        "Submit(address author,uint16 district,bytes32 contentHash,uint64 deadline)"
    );
    /// @inheritdoc IContest
    bytes32 public constant AMEND_TYPEHASH = keccak256(
        "Amend(address author,uint256 initiative,uint32 version,bytes32 contentHash,uint64 deadline)"
    );
    /// @inheritdoc IContest
    bytes32 public constant COSIGN_TYPEHASH = keccak256(
        "Cosign(address cosigner,uint256 initiative,uint32 version,bytes32 contentHash)"
    );
    /// @inheritdoc IContest
    bytes32 public constant SHEET_TYPEHASH = keccak256(
        "ScoreSheet(address expert,uint256 initiative,uint32 version,bytes32 contentHash,bytes32 criteriaHash,uint16[] scores,bytes32 commentHash,bool noConflict)"
    );

    uint256 private constant _BPS = 10_000;

    /// @inheritdoc IContest
    uint64 public immutable submissionsOpenAt;
    /// @inheritdoc IContest
    uint64 public immutable submissionsCloseAt;
    /// @inheritdoc IContest
    uint64 public immutable reviewClosesAt;
    /// @inheritdoc IContest
    uint16 public immutable districtCount;
    /// @inheritdoc IContest
    bytes32 public immutable templateHash;
    /// @inheritdoc IContest
    uint16 public immutable passMarkBps;
    /// @inheritdoc IContest
    uint16 public immutable minGroup;
    /// @inheritdoc IContest
    uint16 public immutable minSheets;
    /// @inheritdoc IContest
    bytes32 public immutable criteriaHash;

    /// @inheritdoc IContest
    address public immutable signatureVerifier;

    /// @inheritdoc IContest
    string public name;

    Criterion[] private _criteria;
    address[] private _experts;
    bool private _expertsFrozen;

    bytes32[] private _batches;
    Initiative[] private _initiatives;
    uint256 private _passed;
    mapping(bytes32 contentHash => bool) private _contentUsed;
    mapping(uint256 initiativeId => bytes32) private _authorIdentities;
    mapping(uint256 initiativeId => mapping(uint32 version => bytes32)) private _versions;
    mapping(uint256 initiativeId => mapping(uint32 version => uint256)) private _groups;
    mapping(uint256 initiativeId => mapping(uint32 version => mapping(bytes32 identity => bool))) private _members;
    mapping(uint256 initiativeId => mapping(address expert => bool)) private _scored;
    mapping(uint256 initiativeId => uint32[MAX_CRITERIA]) private _sums;

    constructor(
        ContestConfig memory config,
        address signatureVerifier_
    ) AccessControlDefaultAdminRules(config.adminTransferDelay, config.admin) EIP712("Kopilka Contest", "1") {
        if (
            config.submissionsOpenAt <= block.timestamp ||
            config.submissionsCloseAt <= config.submissionsOpenAt ||
            config.reviewClosesAt <= config.submissionsCloseAt
        ) {
            revert ContestInvalidSchedule(config.submissionsOpenAt, config.submissionsCloseAt, config.reviewClosesAt);
        }
        if (bytes(config.name).length == 0) revert ContestEmptyName();
        if (config.committee == address(0)) revert ContestZeroAddress("committee");
        if (config.registrar == address(0)) revert ContestZeroAddress("registrar");
        if (config.districtCount == 0) revert ContestNoDistricts();
        if (config.passMarkBps > _BPS) revert ContestInvalidPassMark(config.passMarkBps);
        if (config.minGroup == 0) revert ContestInvalidMinGroup();
        _setCriteria(config.criteria);
        _setExperts(config.experts, config.minSheets);

        name = config.name;
        signatureVerifier = signatureVerifier_;
        submissionsOpenAt = config.submissionsOpenAt;
        submissionsCloseAt = config.submissionsCloseAt;
        reviewClosesAt = config.reviewClosesAt;
        districtCount = config.districtCount;
        templateHash = config.templateHash;
        passMarkBps = config.passMarkBps;
        minGroup = config.minGroup;
        minSheets = config.minSheets;
        criteriaHash = keccak256(abi.encode(config.criteria));
        _grantRole(COMMITTEE_ROLE, config.committee);
        _grantRole(REGISTRAR_ROLE, config.registrar);
    }

    // --- configuration ---

    /// @inheritdoc IContest
    function criteria() external view returns (Criterion[] memory) {
        return _criteria;
    }

    /// @inheritdoc IContest
    function experts() external view returns (address[] memory) {
        return _experts;
    }

    /// @inheritdoc IContest
    function phase() public view returns (Phase) {
        if (block.timestamp < submissionsOpenAt) return Phase.Setup;
        if (block.timestamp < submissionsCloseAt) return Phase.Submissions;
        if (block.timestamp < reviewClosesAt) return Phase.Review;
        return Phase.Decided;
    }

    // --- residents ---

    /// @inheritdoc IContest
    function postResidents(bytes32 root) external onlyRole(REGISTRAR_ROLE) returns (uint256 batchId) {
        _requireWindow(0, reviewClosesAt);
        if (root == bytes32(0)) revert ContestZeroRoot();
        batchId = _batches.length;
        _batches.push(root);
        emit ResidentsPosted(batchId, root);
    }

    /// @inheritdoc IContest
    function batchCount() external view returns (uint256) {
        return _batches.length;
    }

    /// @inheritdoc IContest
    function batchRoot(uint256 batchId) external view returns (bytes32) {
        if (batchId >= _batches.length) revert ContestUnknownBatch(batchId);
        return _batches[batchId];
    }

    /// @inheritdoc IContest
    function identityOf(address account, bytes32 enrollment) public pure returns (bytes32) {
        return enrollment != bytes32(0) ? enrollment : bytes32(uint256(uint160(account)));
    }

    // --- initiatives ---

    /// @inheritdoc IContest
    function submit(
        Resident calldata author,
        uint16 district,
        bytes32 contentHash,
        uint64 deadline,
        uint8 scheme,
        bytes calldata signature
    ) external returns (uint256 initiativeId) {
        _requireWindow(submissionsOpenAt, submissionsCloseAt);
        _requireDeadline(deadline);
        if (district >= districtCount) revert ContestUnknownDistrict(district, districtCount);
        _useContent(contentHash);
        bytes32 identity = _requireResident(author);
        _requireSignature(
            submitDigest(author.account, district, contentHash, deadline),
            author.account,
            scheme,
            signature
        );

        initiativeId = _initiatives.length;
        _initiatives.push(
            Initiative({
                author: author.account,
                district: district,
                status: Status.Submitted,
                version: 1,
                contentHash: contentHash,
                sheets: 0,
                scoreBps: 0
            })
        );
        _versions[initiativeId][1] = contentHash;
        _authorIdentities[initiativeId] = identity;
        _members[initiativeId][1][identity] = true;
        _groups[initiativeId][1] = 1;
        emit InitiativeSubmitted(initiativeId, author.account, district, contentHash, identity);
    }

    /// @inheritdoc IContest
    function amend(
        uint256 initiativeId,
        uint32 version,
        bytes32 contentHash,
        uint64 deadline,
        uint8 scheme,
        bytes calldata signature
    ) external {
        Initiative storage item = _initiative(initiativeId);
        _requireDeadline(deadline);
        if (item.status == Status.Submitted) _requireWindow(submissionsOpenAt, submissionsCloseAt);
        else if (item.status == Status.Returned) _requireWindow(submissionsOpenAt, reviewClosesAt);
        else revert ContestWrongStatus(initiativeId, item.status);
        if (version != item.version) revert ContestWrongVersion(initiativeId, version, item.version);
        _useContent(contentHash);
        address author = item.author;
        _requireSignature(amendDigest(author, initiativeId, version, contentHash, deadline), author, scheme, signature);

        uint32 next = version + 1;
        item.version = next;
        item.contentHash = contentHash;
        item.status = Status.Submitted;
        _versions[initiativeId][next] = contentHash;
        // The group starts again with the author alone: co-signatures count for the version they name.
        _members[initiativeId][next][_authorIdentities[initiativeId]] = true;
        _groups[initiativeId][next] = 1;
        emit InitiativeAmended(initiativeId, next, contentHash);
    }

    /// @inheritdoc IContest
    function cosign(
        uint256 initiativeId,
        uint32 version,
        bytes32 contentHash,
        Resident calldata cosigner,
        uint8 scheme,
        bytes calldata signature
    ) external {
        Initiative storage item = _initiative(initiativeId);
        if (item.status != Status.Submitted && item.status != Status.Returned) {
            revert ContestWrongStatus(initiativeId, item.status);
        }
        _requireWindow(submissionsOpenAt, reviewClosesAt);
        if (version != item.version) revert ContestWrongVersion(initiativeId, version, item.version);
        if (contentHash != item.contentHash) revert ContestWrongContent(initiativeId, contentHash, item.contentHash);
        bytes32 identity = _requireResident(cosigner);
        if (_members[initiativeId][version][identity]) revert ContestAlreadyInGroup(initiativeId, version, identity);
        _requireSignature(
            cosignDigest(cosigner.account, initiativeId, version, contentHash),
            cosigner.account,
            scheme,
            signature
        );
        _members[initiativeId][version][identity] = true;
        uint256 group = ++_groups[initiativeId][version];
        emit Cosigned(initiativeId, version, cosigner.account, identity, group);
    }

    /// @inheritdoc IContest
    function admit(uint256 initiativeId, uint32 version) external onlyRole(COMMITTEE_ROLE) {
        Initiative storage item = _screenable(initiativeId, version);
        uint256 group = _groups[initiativeId][version];
        if (group < minGroup) revert ContestGroupTooSmall(initiativeId, group, minGroup);
        item.status = Status.Admitted;
        emit Screened(initiativeId, version, Status.Admitted, bytes32(0));
    }

    /// @inheritdoc IContest
    function returnForChanges(
        uint256 initiativeId,
        uint32 version,
        bytes32 reasonHash
    ) external onlyRole(COMMITTEE_ROLE) {
        Initiative storage item = _screenable(initiativeId, version);
        if (reasonHash == bytes32(0)) revert ContestZeroReason();
        item.status = Status.Returned;
        emit Screened(initiativeId, version, Status.Returned, reasonHash);
    }

    /// @inheritdoc IContest
    function reject(uint256 initiativeId, uint32 version, bytes32 reasonHash) external onlyRole(COMMITTEE_ROLE) {
        Initiative storage item = _initiative(initiativeId);
        if (item.status != Status.Submitted && item.status != Status.Returned) {
            revert ContestWrongStatus(initiativeId, item.status);
        }
        _requireWindow(submissionsOpenAt, reviewClosesAt);
        if (version != item.version) revert ContestWrongVersion(initiativeId, version, item.version);
        if (reasonHash == bytes32(0)) revert ContestZeroReason();
        item.status = Status.Rejected;
        emit Screened(initiativeId, version, Status.Rejected, reasonHash);
    }

    /// @inheritdoc IContest
    function initiativeCount() external view returns (uint256) {
        return _initiatives.length;
    }

    /// @inheritdoc IContest
    function initiative(uint256 initiativeId) external view returns (Initiative memory) {
        return _initiative(initiativeId);
    }

    /// @inheritdoc IContest
    function versionHash(uint256 initiativeId, uint32 version) external view returns (bytes32) {
        return _versions[initiativeId][version];
    }

    /// @inheritdoc IContest
    function groupSize(uint256 initiativeId, uint32 version) external view returns (uint256) {
        return _groups[initiativeId][version];
    }

    /// @inheritdoc IContest
    function inGroup(uint256 initiativeId, uint32 version, bytes32 identity) external view returns (bool) {
        return _members[initiativeId][version][identity];
    }

    // --- review ---

    /// @inheritdoc IContest
    function submitSheet(ScoreSheet calldata sheet, uint8 scheme, bytes calldata signature) external {
        uint256 initiativeId = sheet.initiative;
        Initiative storage item = _initiative(initiativeId);
        if (item.status != Status.Admitted) revert ContestWrongStatus(initiativeId, item.status);
        _requireWindow(submissionsOpenAt, reviewClosesAt);
        if (sheet.version != item.version) revert ContestWrongVersion(initiativeId, sheet.version, item.version);
        if (sheet.contentHash != item.contentHash) {
            revert ContestWrongContent(initiativeId, sheet.contentHash, item.contentHash);
        }
        if (sheet.criteriaHash != criteriaHash) revert ContestWrongCriteria(sheet.criteriaHash, criteriaHash);
        address expert = sheet.expert;
        if (!hasRole(EXPERT_ROLE, expert)) revert ContestNotAnExpert(expert);
        if (_scored[initiativeId][expert]) revert ContestAlreadyScored(initiativeId, expert);
        if (!sheet.noConflict) revert ContestConflictNotDeclared(expert);
        uint256 count = _criteria.length;
        if (sheet.scores.length != count) revert ContestWrongScoreCount(sheet.scores.length, count);
        _requireSignature(sheetDigest(sheet), expert, scheme, signature);

        uint32[MAX_CRITERIA] storage sums = _sums[initiativeId];
        for (uint256 i = 0; i < count; ++i) {
            uint16 score = sheet.scores[i];
            uint16 maxScore = _criteria[i].maxScore;
            if (score > maxScore) revert ContestScoreAboveMax(i, score, maxScore);
            sums[i] += score;
        }
        _scored[initiativeId][expert] = true;
        ++item.sheets;
        emit SheetSubmitted(initiativeId, sheet.version, expert, sheet.scores, sheet.commentHash, scheme, signature);
    }

    /// @inheritdoc IContest
    function hasScored(uint256 initiativeId, address expert) external view returns (bool) {
        return _scored[initiativeId][expert];
    }

    /// @inheritdoc IContest
    function scoreSums(uint256 initiativeId) public view returns (uint256[] memory sums) {
        uint256 count = _criteria.length;
        sums = new uint256[](count);
        for (uint256 i = 0; i < count; ++i) sums[i] = _sums[initiativeId][i];
    }

    /// @inheritdoc IContest
    function decide(uint256[] calldata initiativeIds) external {
        _requireWindow(reviewClosesAt, type(uint64).max);
        for (uint256 i = 0; i < initiativeIds.length; ++i) {
            uint256 initiativeId = initiativeIds[i];
            Initiative storage item = _initiative(initiativeId);
            if (item.status == Status.Passed || item.status == Status.Failed) continue;
            if (item.status != Status.Admitted) revert ContestWrongStatus(initiativeId, item.status);
            (uint16 scoreBps, bool passed) = _outcome(scoreSums(initiativeId), item.sheets);
            item.scoreBps = scoreBps;
            item.status = passed ? Status.Passed : Status.Failed;
            if (passed) ++_passed;
            emit Decided(initiativeId, item.version, item.sheets, scoreBps, passed);
        }
    }

    /// @inheritdoc IContest
    function outcomeFor(uint256[] calldata sums, uint256 sheets) external view returns (uint16, bool) {
        if (sums.length != _criteria.length) revert ContestWrongSumCount(sums.length, _criteria.length);
        return _outcome(sums, sheets);
    }

    /// @inheritdoc IContest
    function passedCount() external view returns (uint256) {
        return _passed;
    }

    // --- digests ---

    /// @inheritdoc IContest
    function submitDigest(
        address author,
        uint16 district,
        bytes32 contentHash,
        uint64 deadline
    ) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(SUBMIT_TYPEHASH, author, district, contentHash, deadline)));
    }

    /// @inheritdoc IContest
    function amendDigest(
        address author,
        uint256 initiativeId,
        uint32 version,
        bytes32 contentHash,
        uint64 deadline
    ) public view returns (bytes32) {
        return
            _hashTypedDataV4(
                keccak256(abi.encode(AMEND_TYPEHASH, author, initiativeId, version, contentHash, deadline))
            );
    }

    /// @inheritdoc IContest
    function cosignDigest(
        address cosigner,
        uint256 initiativeId,
        uint32 version,
        bytes32 contentHash
    ) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(COSIGN_TYPEHASH, cosigner, initiativeId, version, contentHash)));
    }

    /// @inheritdoc IContest
    function sheetDigest(ScoreSheet calldata sheet) public view returns (bytes32) {
        return
            _hashTypedDataV4(
                keccak256(
                    abi.encode(
                        SHEET_TYPEHASH,
                        sheet.expert,
                        sheet.initiative,
                        sheet.version,
                        sheet.contentHash,
                        sheet.criteriaHash,
                        keccak256(abi.encodePacked(sheet.scores)),
                        sheet.commentHash,
                        sheet.noConflict
                    )
                )
            );
    }

    // --- roles ---

    /// @dev The experts are the ones listed at creation, for the whole contest.
    function _grantRole(bytes32 role, address account) internal override returns (bool) {
        if (role == EXPERT_ROLE && _expertsFrozen) revert ContestExpertsFrozen();
        return super._grantRole(role, account);
    }

    function _revokeRole(bytes32 role, address account) internal override returns (bool) {
        if (role == EXPERT_ROLE) revert ContestExpertsFrozen();
        return super._revokeRole(role, account);
    }

    // --- internals ---

    /// @dev The rule of {outcomeFor}. `sums` has one entry per criterion.
    function _outcome(uint256[] memory sums, uint256 sheets) private view returns (uint16 scoreBps, bool passed) {
        if (sheets == 0) return (0, false);
        uint256 weighted;
        uint256 weights;
        bool floorsMet = true;
        for (uint256 i = 0; i < sums.length; ++i) {
            Criterion storage criterion = _criteria[i];
            uint256 critBps = (sums[i] * _BPS) / (uint256(criterion.maxScore) * sheets);
            if (critBps < criterion.floorBps) floorsMet = false;
            weighted += uint256(criterion.weight) * critBps;
            weights += criterion.weight;
        }
        scoreBps = uint16(weighted / weights);
        passed = sheets >= minSheets && scoreBps >= passMarkBps && floorsMet;
    }

    function _setCriteria(Criterion[] memory criteria_) private {
        uint256 criteriaCount = criteria_.length;
        if (criteriaCount == 0 || criteriaCount > MAX_CRITERIA) {
            revert ContestInvalidCriteriaCount(criteriaCount, MAX_CRITERIA);
        }
        for (uint256 i = 0; i < criteriaCount; ++i) {
            Criterion memory criterion = criteria_[i];
            if (criterion.weight == 0 || criterion.maxScore == 0 || criterion.floorBps > _BPS) {
                revert ContestInvalidCriterion(i, criterion.weight, criterion.maxScore, criterion.floorBps);
            }
            _criteria.push(criterion);
        }
    }

    function _setExperts(address[] memory experts_, uint16 minSheets_) private {
        uint256 expertCount = experts_.length;
        if (expertCount == 0 || expertCount > MAX_EXPERTS) revert ContestInvalidExpertCount(expertCount, MAX_EXPERTS);
        if (minSheets_ == 0 || minSheets_ > expertCount) {
            revert ContestInvalidMinSheets(minSheets_, expertCount);
        }
        for (uint256 i = 0; i < expertCount; ++i) {
            address expert = experts_[i];
            if (expert == address(0) || hasRole(EXPERT_ROLE, expert)) revert ContestInvalidExpert(i, expert);
            _grantRole(EXPERT_ROLE, expert);
            _experts.push(expert);
        }
        _expertsFrozen = true;
    }

    function _initiative(uint256 initiativeId) private view returns (Initiative storage) {
        if (initiativeId >= _initiatives.length) revert ContestUnknownInitiative(initiativeId);
        return _initiatives[initiativeId];
    }

    function _screenable(uint256 initiativeId, uint32 version) private view returns (Initiative storage item) {
        item = _initiative(initiativeId);
        if (item.status != Status.Submitted) revert ContestWrongStatus(initiativeId, item.status);
        _requireWindow(submissionsOpenAt, reviewClosesAt);
        if (version != item.version) revert ContestWrongVersion(initiativeId, version, item.version);
    }

    function _requireWindow(uint256 opensAt, uint256 closesAt) private view {
        if (block.timestamp < opensAt || block.timestamp >= closesAt) {
            revert ContestOutsideWindow(opensAt, closesAt, block.timestamp);
        }
    }

    function _requireDeadline(uint64 deadline) private view {
        if (block.timestamp > deadline) revert ContestExpired(deadline, block.timestamp);
    }

    function _useContent(bytes32 contentHash) private {
        if (contentHash == bytes32(0)) revert ContestZeroContent();
        if (_contentUsed[contentHash]) revert ContestContentUsed(contentHash);
        _contentUsed[contentHash] = true;
    }

    /// @dev Checks the resident's leaf against its batch; returns the resident's identity.
    function _requireResident(Resident calldata resident) private view returns (bytes32) {
        if (resident.batchId >= _batches.length) revert ContestUnknownBatch(resident.batchId);
        bytes32 leaf = keccak256(
            bytes.concat(
                keccak256(abi.encode(resident.account, resident.district, resident.amount, resident.enrollment))
            )
        );
        if (!MerkleProof.verifyCalldata(resident.proof, _batches[resident.batchId], leaf)) {
            revert ContestNotAResident(
                resident.batchId,
                resident.account,
                resident.district,
                resident.amount,
                resident.enrollment
            );
        }
        return identityOf(resident.account, resident.enrollment);
    }

    function _requireSignature(bytes32 digest, address expected, uint8 scheme, bytes calldata signature) private view {
        (Signatures.Failure failure, address signer, bytes32 s) = SignatureVerifier(signatureVerifier).check(
            digest,
            expected,
            scheme,
            signature
        );
        if (failure == Signatures.Failure.None) return;
        if (failure == Signatures.Failure.HighS) revert ContestInvalidSignatureS(s);
        if (failure == Signatures.Failure.InvalidLength) revert ContestInvalidSignatureLength(scheme, signature.length);
        if (failure == Signatures.Failure.WrongSigner) revert ContestInvalidSigner(expected, signer);
        revert ContestUnknownScheme(scheme);
    }
}
