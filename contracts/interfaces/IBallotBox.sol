// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IRound} from "./IRound.sol";

/// @title Signed ballots, relayed in batches
/// @notice A resident with no ether signs a ballot (EIP-712) and anyone, usually a relayer, submits it here in a
/// batch. The ballot is bound to the chain and this contract by the EIP-712 domain, to its round by the `round`
/// field, to the resident's next nonce (kept by the round's token, in the word every vote writes anyway) and to a
/// deadline. The round carries it out with the same code as a direct vote. A batch never reverts as a whole: a
/// ballot that fails (bad signature, used nonce, past a deadline, not enough tokens, ...) is skipped with a
/// `BallotRejected` event.
///
/// A rejected ballot never comes back to life: once its signature has been checked, a ballot the round refuses has
/// its nonce used up (unless the nonce itself was the reason), so nobody can submit it again later, when it might
/// pass. A ballot rejected before its signature was checked either can never pass (`BallotBoxExpired`) or was not
/// looked at (`BallotBoxOutOfGas`: submit it again with more gas), and one with a bad signature was never the
/// voter's.
///
/// EIP-712 domain: `{name: "Kopilka", version: "1", chainId, verifyingContract: this contract}`. Signed type:
/// `Ballot(address round,address voter,uint64 nonce,uint64 deadline,address[] fromBanks,uint256[] fromAmounts,
/// address[] toBanks,uint256[] toAmounts)`. A ballot with all four arrays empty only uses up its nonce, at any time:
/// that is how a resident cancels a ballot given to a relayer.
///
/// Signature schemes (`Ballot.scheme`), each a way of proving the EIP-712 digest `d` was signed by `voter`:
/// - 0, secp256k1 (wallets): `signature` is `r ‖ s ‖ v` (65 bytes) and ecrecover(d) must be `voter`.
/// - 1, P-256 (a browser's WebCrypto key, which cannot be copied out of the browser): `signature` is
///   `r ‖ s ‖ qx ‖ qy` (128 bytes), `voter` must be {keyAddress}`(qx, qy)` and `(r, s)` a P-256 signature of
///   `sha256(d)` by that key (WebCrypto signs the 32 bytes of `d` as data, hashing them with SHA-256). Verified with
///   the secp256r1 precompile (EIP-7951, RIP-7212) where the chain has one, otherwise in Solidity.
/// In both, `s` must be in the lower half of the curve order, so that a ballot has exactly one valid signature.
/// Another scheme (a passkey's WebAuthn assertion) can be added here without touching any round: a round only
/// trusts this contract's calls.
interface IBallotBox {
    /// @notice An allowance claim sent along with a ballot. Not signed: anyone may claim for anyone, and the
    /// tokens always go to the leaf's account, here the ballot's voter.
    struct Claim {
        uint256 batchId;
        uint16 district;
        uint256 amount;
        bytes32 enrollment;
        bytes32[] proof;
    }

    /// @notice A signed ballot: withdraw `fromAmounts[i]` from `fromBanks[i]`, then put `toAmounts[i]` into
    /// `toBanks[i]`. `claim` is empty, or holds the voter's allowance claim, tried before the moves.
    /// `signature` proves the voter signed the EIP-712 `Ballot` by the signature scheme `scheme` (see above).
    /// The first six fields are, in order, the arguments of {IRound-castFor}: the ballot box forwards them as
    /// they came instead of encoding them again.
    struct Ballot {
        address voter;
        uint64 nonce;
        address[] fromBanks;
        uint256[] fromAmounts;
        address[] toBanks;
        uint256[] toAmounts;
        uint64 deadline;
        uint8 scheme;
        bytes signature;
        Claim[] claim;
    }

    /// @notice Thrown when a batch names a round that is not a contract.
    error BallotBoxNotARound(address round);

    // The errors below are never thrown: `BallotRejected` carries them, ABI-encoded, as its reason. A ballot the
    // round refuses carries the round's or the token's error instead (e.g. `BudgetTokenInvalidNonce` for a used
    // nonce, `RoundClosed`), and a high-s signature OpenZeppelin's `ECDSAInvalidSignatureS(s)`.

    /// @notice The ballot was submitted after its own deadline.
    error BallotBoxExpired(uint256 deadline, uint256 now_);
    /// @notice The signature is not the ballot's voter's: an edited ballot, one signed for another chain, ballot box
    /// or round, or no valid signature at all (`signer` is then zero).
    error BallotBoxInvalidSigner(address voter, address signer);
    /// @notice The ballot names a signature scheme this ballot box does not know.
    error BallotBoxUnknownScheme(uint8 scheme);
    /// @notice The signature does not have the length its scheme requires.
    error BallotBoxInvalidSignatureLength(uint8 scheme, uint256 length);
    /// @notice Too little gas was left in the batch to run the ballot with its whole share. The ballot was not
    /// looked at and stays valid.
    error BallotBoxOutOfGas(uint256 needed, uint256 left);
    /// @notice The round's call failed without saying why (e.g. it ran out of its share of gas, `gas`).
    error BallotBoxCallFailed(uint256 gas);

    /// @notice A ballot of a batch was skipped; `reason` is the revert data, an ABI-encoded custom error.
    event BallotRejected(address indexed round, address indexed voter, uint256 nonce, bytes reason);

    /// @notice The EIP-712 type hash of `Ballot`.
    function BALLOT_TYPEHASH() external view returns (bytes32);

    /// @notice The EIP-712 digest `voter` signs for a ballot in `round`.
    function ballotDigest(
        IRound round,
        address voter,
        uint256 nonce,
        uint256 deadline,
        address[] calldata fromBanks,
        uint256[] calldata fromAmounts,
        address[] calldata toBanks,
        uint256[] calldata toAmounts
    ) external view returns (bytes32);

    /// @notice The voter address of the P-256 public key `(qx, qy)`: the last 20 bytes of
    /// `keccak256(abi.encode(qx, qy))`.
    function keyAddress(bytes32 qx, bytes32 qy) external pure returns (address);

    /// @notice The gas this ballot box sets aside for checking a signature of `scheme` and reporting its ballot:
    /// for P-256 more on a chain without the secp256r1 precompile (looked for when this contract was deployed).
    function signatureGas(uint8 scheme) external view returns (uint256);

    /// @notice The most gas one ballot may use, its calldata aside: its calls get fixed shares, so no ballot can
    /// starve the rest of its batch. Grows with the number of moves and the claim's proof, and with the signature
    /// scheme's `signatureGas`. A batch sent with the sum of its ballots' `ballotGas` (plus 1/64 of it and the
    /// transaction's own cost) reports none of them `BallotBoxOutOfGas`.
    function ballotGas(Ballot calldata ballot) external view returns (uint256);

    /// @notice Carries out each ballot of `ballots` in `round` that is valid, and reports each other one with
    /// `BallotRejected`. Anyone may submit. Never reverts because of a ballot.
    function submit(IRound round, Ballot[] calldata ballots) external;

    /// @notice Uses up the caller's nonce `nonce` in `round`, cancelling a ballot signed with it. At any time.
    function cancel(IRound round, uint256 nonce) external;
}
