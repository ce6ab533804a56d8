// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IRound} from "./IRound.sol";

/// @title Signed ballots, relayed in batches
/// @notice A resident with no ether signs a ballot (EIP-712) and anyone, usually a relayer, submits it here in a
/// batch. The ballot is bound to the chain and this contract by the EIP-712 domain, to its round by the `round`
/// field, to the resident's next nonce (kept by the round's token, in the word every vote writes anyway) and to a
/// deadline. The round carries it out with the same code as a direct vote. A batch never reverts as a whole: a
/// ballot that fails (bad signature, used nonce, past a deadline, not enough tokens, ...) is skipped with a
/// `BallotRejected` event, and its nonce stays unused.
///
/// EIP-712 domain: `{name: "Kopilka", version: "1", chainId, verifyingContract: this contract}`. Signed type:
/// `Ballot(address round,address voter,uint64 nonce,uint64 deadline,address[] fromBanks,uint256[] fromAmounts,
/// address[] toBanks,uint256[] toAmounts)`. A ballot with all four arrays empty only uses up its nonce: that is how
/// a resident cancels a ballot given to a relayer.
interface IBallotBox {
    /// @notice An allowance claim sent along with a ballot. Not signed: anyone may claim for anyone, and the
    /// tokens always go to the leaf's account, here the ballot's voter.
    struct Claim {
        uint256 batchId;
        uint16 district;
        uint256 amount;
        bytes32[] proof;
    }

    /// @notice A signed ballot: withdraw `fromAmounts[i]` from `fromBanks[i]`, then put `toAmounts[i]` into
    /// `toBanks[i]`. `claim` is empty, or holds the voter's allowance claim, tried before the moves.
    /// `(v, r, s)` is the voter's signature of the EIP-712 `Ballot`; `s` must be in the lower half of the curve order.
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
        uint8 v;
        bytes32 r;
        bytes32 s;
        Claim[] claim;
    }

    /// @notice Thrown when a batch names a round that is not a contract.
    error BallotBoxNotARound(address round);

    // The errors below are never thrown: `BallotRejected` carries them, ABI-encoded, as its reason. A ballot the
    // round refuses carries the round's or the token's error instead (e.g. `BudgetTokenInvalidNonce` for a used
    // nonce, `RoundClosed`), and a high-s signature OpenZeppelin's `ECDSAInvalidSignatureS(s)`.

    /// @notice The ballot was submitted after its own deadline.
    error BallotBoxExpired(uint256 deadline, uint256 now_);
    /// @notice The signature is not the ballot's voter's: an edited ballot, or one signed for another chain,
    /// ballot box or round.
    error BallotBoxInvalidSigner(address voter, address signer);
    /// @notice Too little gas was left in the batch to run the ballot with its whole share.
    error BallotBoxOutOfGas(uint256 needed, uint256 left);

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

    /// @notice The most gas one ballot may use, its calldata aside: its calls get fixed shares, so no ballot can
    /// starve the rest of its batch. Grows with the number of moves and the claim's proof. A batch sent with the
    /// sum of its ballots' `ballotGas` (plus 1/64 of it and the transaction's own cost) reports none of them
    /// `BallotBoxOutOfGas`.
    function ballotGas(Ballot calldata ballot) external pure returns (uint256);

    /// @notice Carries out each ballot of `ballots` in `round` that is valid, and reports each other one with
    /// `BallotRejected`. Anyone may submit. Never reverts because of a ballot.
    function submit(IRound round, Ballot[] calldata ballots) external;

    /// @notice Uses up the caller's nonce `nonce` in `round`, cancelling a ballot signed with it. In Voting.
    function cancel(IRound round, uint256 nonce) external;
}
