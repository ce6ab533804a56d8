/**
 * Signed ballots through the ballot box: what a relayer may and may not do with a resident's signature, and what
 * relaying costs against voting directly.
 */
import { expect } from "chai";
import type { ContractTransactionResponse, Interface, TransactionResponse } from "ethers";
import { network } from "hardhat";

import type { BallotBox } from "../typechain-types/index.js";
import {
  SIGNATURE_GAS,
  ballotCalldata,
  ballotDomain,
  ballotCalldataBytes,
  ballotGas,
  ballotSigner,
  batchGasLimit,
  signBallot,
  signBallotP256,
  type BallotClaim,
  type BallotDomain,
  type BallotMessage,
  type SignedBallot,
} from "@kopilka/core/ballots";
import { P256_ORDER, SignatureScheme, p256KeySigner } from "@kopilka/core/keys";
import { ANY_DISTRICT, type Participant } from "@kopilka/core/participants";
import {
  createRound,
  mintAndOpen,
  postBatch,
  voters,
  type CreatedRound,
  type RoundOptions,
  type Voter,
} from "../scripts/hardhat/fixtures.js";

const { ethers, networkHelpers } = await network.create();
const { time, loadFixture } = networkHelpers;

const ROUND: RoundOptions = {
  districts: [
    { name: "Central", budget: 600_000n, projects: [300_000n, 200_000n] },
    { name: "Riverside", budget: 400_000n, projects: [250_000n, 150_000n] },
  ],
};
const CENTRAL = 0;
const ALLOWANCE = 10_000n;
const HOUR = 3600n;
/** secp256k1's group order: s and n - s are both valid ECDSA signatures of the same digest. */
const CURVE_ORDER = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

async function ballotBoxOf(created: CreatedRound): Promise<BallotBox> {
  return ethers.getContractAt("BallotBox", await created.round.ballotBox());
}

async function domainOf(box: BallotBox, chainId?: bigint): Promise<BallotDomain> {
  return ballotDomain(chainId ?? (await ethers.provider.getNetwork()).chainId, await box.getAddress());
}

/**
 * A voting round: Alice and Bob (Central) have claimed, Carol (any district) holds no ether and has not claimed,
 * Mallory is in no batch. A relayer submits.
 */
async function votingRound() {
  const created = await createRound(ethers, networkHelpers, ROUND);
  await mintAndOpen(created);
  const [alice, bob, mallory, relayer] = (await ethers.getSigners()).slice(5);
  const carol = ethers.Wallet.createRandom().connect(ethers.provider);
  const participants: Participant[] = [
    { account: alice.address, district: CENTRAL, amount: ALLOWANCE },
    { account: bob.address, district: CENTRAL, amount: ALLOWANCE },
    { account: carol.address, district: ANY_DISTRICT, amount: ALLOWANCE },
  ];
  const batch = await postBatch(created, participants);
  await time.increaseTo(created.opensAt);
  for (const account of [alice, bob]) {
    const { participant, proof } = batch.proofOf(account.address);
    await created.airdrop.claim(
      batch.batchId,
      participant.account,
      participant.district,
      participant.amount,
      participant.enrollment,
      proof,
    );
  }
  const box = await ballotBoxOf(created);
  const domain = await domainOf(box);
  const claimOf = (account: string): BallotClaim => {
    const { participant, proof } = batch.proofOf(account);
    return {
      batchId: batch.batchId,
      district: participant.district,
      amount: participant.amount,
      enrollment: participant.enrollment,
      proof,
    };
  };
  return { created, box, domain, alice, bob, carol, mallory, relayer, claimOf };
}

/** A ballot of `voter` putting `amount` into the round's first bank, valid for an hour. */
async function allocation(
  created: CreatedRound,
  voter: string,
  overrides: Partial<BallotMessage> = {},
  amount = 1_000n,
): Promise<BallotMessage> {
  return {
    round: await created.round.getAddress(),
    voter,
    nonce: await created.token.nonceOf(voter),
    deadline: BigInt(await time.latest()) + HOUR,
    fromBanks: [],
    fromAmounts: [],
    toBanks: [created.banks[0]],
    toAmounts: [amount],
    ...overrides,
  };
}

type Submitted = { ballot: SignedBallot; claim?: BallotClaim };

function submit(box: BallotBox, relayer: Voter, ballots: Submitted[], gasLimit?: bigint) {
  const round = ballots[0].ballot.round;
  const calldata = ballots.map(({ ballot, claim }) => ballotCalldata(ballot, claim));
  return box.connect(relayer).submit(round, calldata, { gasLimit: gasLimit ?? batchGasLimit(ballots) });
}

/** The `BallotRejected` events of a transaction, their reasons decoded with `reasons`. */
async function rejections(box: BallotBox, tx: ContractTransactionResponse | TransactionResponse, reasons: Interface) {
  const receipt = await tx.wait();
  return receipt!.logs
    .map((log) => box.interface.parseLog(log))
    .filter((parsed) => parsed?.name === "BallotRejected")
    .map((parsed) => {
      const error = reasons.parseError(parsed!.args.reason);
      return { voter: parsed!.args.voter, nonce: parsed!.args.nonce, error: error?.name, args: error?.args.toArray() };
    });
}

describe("BallotBox", function () {
  describe("#submit", function () {
    it("claims and allocates for a resident who holds no ether", async function () {
      const { created, box, domain, carol, relayer, claimOf } = await loadFixture(votingRound);
      expect(await ethers.provider.getBalance(carol.address)).to.equal(0n);
      const ballot = await signBallot(carol, domain, await allocation(created, carol.address, {}, 4_000n));
      const tx = submit(box, relayer, [{ ballot, claim: claimOf(carol.address) }]);
      await expect(tx).to.changeTokenBalances(ethers, created.token, [carol, created.banks[0]], [6_000n, 4_000n]);
      await expect(tx).not.to.emit(box, "BallotRejected");
      expect(await created.round.depositOf(created.banks[0], carol.address)).to.equal(4_000n);
      expect(await created.token.nonceOf(carol.address)).to.equal(1n);
    });

    it("moves a resident's tokens from one bank to another", async function () {
      const { created, box, domain, alice, relayer } = await loadFixture(votingRound);
      await created.round.connect(alice).allocate([created.banks[0]], [3_000n]);
      const move = await allocation(created, alice.address, {
        fromBanks: [created.banks[0]],
        fromAmounts: [2_000n],
        toBanks: [created.banks[1]],
        toAmounts: [2_500n],
      });
      await submit(box, relayer, [{ ballot: await signBallot(alice, domain, move) }]);
      expect(await created.round.depositOf(created.banks[0], alice.address)).to.equal(1_000n);
      expect(await created.round.depositOf(created.banks[1], alice.address)).to.equal(2_500n);
      expect(await created.token.balanceOf(alice.address)).to.equal(ALLOWANCE - 3_500n);
    });

    it("rejects a replay of an applied ballot", async function () {
      const { created, box, domain, alice, relayer } = await loadFixture(votingRound);
      const ballot = await signBallot(alice, domain, await allocation(created, alice.address));
      await submit(box, relayer, [{ ballot }]);
      const replay = await submit(box, relayer, [{ ballot }]);
      expect(await rejections(box, replay, created.token.interface)).to.deep.equal([
        { voter: alice.address, nonce: 0n, error: "BudgetTokenInvalidNonce", args: [alice.address, 1n, 0n] },
      ]);
      expect(await created.round.depositOf(created.banks[0], alice.address)).to.equal(1_000n);
    });

    it("rejects a ballot signed for another chain", async function () {
      const { created, box, alice, relayer } = await loadFixture(votingRound);
      const elsewhere = await domainOf(box, 1n);
      const ballot = await signBallot(alice, elsewhere, await allocation(created, alice.address));
      const [rejected] = await rejections(box, await submit(box, relayer, [{ ballot }]), box.interface);
      expect(rejected.error).to.equal("BallotBoxInvalidSigner");
      expect(rejected.args![0]).to.equal(alice.address);
      expect(rejected.args![1]).not.to.equal(alice.address);
    });

    it("rejects a ballot signed for another ballot box", async function () {
      const { created, box, alice, relayer } = await loadFixture(votingRound);
      const other = await ethers.deployContract("BallotBox");
      const ballot = await signBallot(alice, await domainOf(other), await allocation(created, alice.address));
      const [rejected] = await rejections(box, await submit(box, relayer, [{ ballot }]), box.interface);
      expect(rejected.error).to.equal("BallotBoxInvalidSigner");
      expect(await created.token.nonceOf(alice.address)).to.equal(0n);
    });

    it("rejects a ballot signed for another round when submitted to this one", async function () {
      const { created, box, domain, alice, relayer } = await loadFixture(votingRound);
      const other = await createRound(ethers, networkHelpers, { ...ROUND, factory: created.factory });
      expect(await other.round.ballotBox()).to.equal(await box.getAddress());
      const signed = await signBallot(
        alice,
        domain,
        await allocation(created, alice.address, { round: await other.round.getAddress() }),
      );
      // The relayer re-targets it at the round where Alice has tokens.
      const ballot = { ...signed, round: await created.round.getAddress() };
      const [rejected] = await rejections(box, await submit(box, relayer, [{ ballot }]), box.interface);
      expect(rejected.error).to.equal("BallotBoxInvalidSigner");
      expect(await created.round.depositOf(created.banks[0], alice.address)).to.equal(0n);
    });

    it("rejects the malleated high-s twin of a valid signature", async function () {
      const { created, box, domain, alice, relayer } = await loadFixture(votingRound);
      const ballot = await signBallot(alice, domain, await allocation(created, alice.address));
      const { r, s, v } = ethers.Signature.from(ballot.signature);
      const twinS = ethers.toBeHex(CURVE_ORDER - BigInt(s), 32);
      const twinV = v === 27 ? 28 : 27;
      const twin = { ...ballot, signature: ethers.concat([r, twinS, ethers.toBeHex(twinV, 1)]) };
      // The twin is a valid signature for ecrecover itself: only the ballot box's check refuses it.
      const digest = await box.ballotDigest(ballot.round, alice.address, 0n, ballot.deadline, [], [], ballot.toBanks, [
        1_000n,
      ]);
      const ecrecover = await ethers.provider.call({
        to: "0x0000000000000000000000000000000000000001",
        data: ethers.AbiCoder.defaultAbiCoder().encode(
          ["bytes32", "uint8", "bytes32", "bytes32"],
          [digest, twinV, r, twinS],
        ),
      });
      expect(ethers.getAddress(ethers.dataSlice(ecrecover, 12))).to.equal(alice.address);
      const tx = await box.connect(relayer).submit(ballot.round, [ballotCalldata(twin)], { gasLimit: 1_000_000n });
      const ecdsa = new ethers.Interface(["error ECDSAInvalidSignatureS(bytes32 s)"]);
      expect(await rejections(box, tx, ecdsa)).to.deep.equal([
        { voter: alice.address, nonce: 0n, error: "ECDSAInvalidSignatureS", args: [twinS] },
      ]);
      expect(await created.token.nonceOf(alice.address)).to.equal(0n);
    });

    it("rejects a ballot of someone who is not eligible, even with a forged claim", async function () {
      const { created, box, domain, mallory, relayer, claimOf } = await loadFixture(votingRound);
      const ballot = await signBallot(mallory, domain, await allocation(created, mallory.address));
      const forged = { ...claimOf((await ethers.getSigners())[5].address) };
      const tx = await submit(box, relayer, [{ ballot, claim: forged }]);
      expect(await rejections(box, tx, created.token.interface)).to.deep.equal([
        {
          voter: mallory.address,
          nonce: 0n,
          error: "BudgetTokenInsufficientBalance",
          args: [mallory.address, 0n, 1_000n],
        },
      ]);
      expect(await created.token.balanceOf(mallory.address)).to.equal(0n);
    });

    it("rejects a ballot past its own deadline", async function () {
      const { created, box, domain, alice, relayer } = await loadFixture(votingRound);
      const deadline = BigInt(await time.latest()) + 60n;
      const ballot = await signBallot(alice, domain, await allocation(created, alice.address, { deadline }));
      await time.setNextBlockTimestamp(deadline + 1n);
      expect(await rejections(box, await submit(box, relayer, [{ ballot }]), box.interface)).to.deep.equal([
        { voter: alice.address, nonce: 0n, error: "BallotBoxExpired", args: [deadline, deadline + 1n] },
      ]);
    });

    it("rejects a ballot once the round has closed, whatever its own deadline", async function () {
      const { created, box, domain, alice, relayer } = await loadFixture(votingRound);
      const deadline = created.closesAt + 7n * 24n * HOUR;
      const ballot = await signBallot(alice, domain, await allocation(created, alice.address, { deadline }));
      await time.increaseTo(created.closesAt);
      expect(await rejections(box, await submit(box, relayer, [{ ballot }]), created.round.interface)).to.deep.equal([
        { voter: alice.address, nonce: 0n, error: "RoundClosed", args: [created.closesAt] },
      ]);
    });

    it("rejects a ballot a relayer edited: more tokens, another bank, another voter", async function () {
      const { created, box, domain, alice, bob, relayer } = await loadFixture(votingRound);
      const signed = await signBallot(alice, domain, await allocation(created, alice.address));
      const edits: SignedBallot[] = [
        { ...signed, toAmounts: [9_000n] },
        { ...signed, toBanks: [created.banks[1]] },
        { ...signed, voter: bob.address },
        { ...signed, deadline: signed.deadline + HOUR },
      ];
      const tx = await submit(
        box,
        relayer,
        edits.map((ballot) => ({ ballot })),
      );
      const rejected = await rejections(box, tx, box.interface);
      expect(rejected.map((r) => [r.error, r.args![0]])).to.deep.equal(
        edits.map((edit) => ["BallotBoxInvalidSigner", edit.voter]),
      );
      expect(await created.token.balanceOf(alice.address)).to.equal(ALLOWANCE);
      expect(await created.token.balanceOf(bob.address)).to.equal(ALLOWANCE);
    });

    it("applies the other ballots of a batch with a bad one and reports only the bad one", async function () {
      const { created, box, domain, alice, bob, carol, relayer, claimOf } = await loadFixture(votingRound);
      const good = await signBallot(alice, domain, await allocation(created, alice.address));
      const tooMuch = await signBallot(bob, domain, await allocation(created, bob.address, {}, ALLOWANCE + 1n));
      const alsoGood = await signBallot(carol, domain, await allocation(created, carol.address));
      const tx = await submit(box, relayer, [
        { ballot: good },
        { ballot: tooMuch },
        { ballot: alsoGood, claim: claimOf(carol.address) },
        { ballot: good },
      ]);
      expect(await rejections(box, tx, created.token.interface)).to.deep.equal([
        {
          voter: bob.address,
          nonce: 0n,
          error: "BudgetTokenInsufficientBalance",
          args: [bob.address, ALLOWANCE, ALLOWANCE + 1n],
        },
        { voter: alice.address, nonce: 0n, error: "BudgetTokenInvalidNonce", args: [alice.address, 1n, 0n] },
      ]);
      expect(await created.token.balanceOf(created.banks[0])).to.equal(2_000n);
      // Bob's rejected ballot used up his nonce, so that it can never be carried out later (see "never comes back").
      expect(await created.token.nonceOf(bob.address)).to.equal(1n);
    });

    it("reports the ballots it has no gas left for instead of running them short", async function () {
      const { created, box, domain, alice, bob, relayer } = await loadFixture(votingRound);
      const first = await signBallot(alice, domain, await allocation(created, alice.address));
      const second = await signBallot(bob, domain, await allocation(created, bob.address));
      const both = [{ ballot: first }, { ballot: second }];
      const data = ethers.getBytes(
        box.interface.encodeFunctionData("submit", [first.round, both.map(({ ballot }) => ballotCalldata(ballot))]),
      );
      const intrinsic = 21_000n + data.reduce((sum, byte) => sum + (byte === 0 ? 4n : 16n), 0n);
      // What the first ballot's check needs, and less than the first ballot then uses.
      const needed = ((ballotGas(first) - 20_000n) * 64n) / 63n + 20_000n;
      const tx = await submit(box, relayer, both, intrinsic + needed + 15_000n);
      const rejected = await rejections(box, tx, box.interface);
      expect(rejected.map((r) => [r.voter, r.error])).to.deep.equal([[bob.address, "BallotBoxOutOfGas"]]);
      expect(await created.token.nonceOf(alice.address)).to.equal(1n);
      expect(await created.token.nonceOf(bob.address)).to.equal(0n);
    });
  });

  describe("a rejected ballot", function () {
    it("never comes back to life: rejected for balance, then replayed after the voter withdrew directly", async function () {
      const { created, box, domain, alice, relayer, mallory } = await loadFixture(votingRound);
      const [first, second] = created.banks;
      await created.round.connect(alice).allocate([first], [ALLOWANCE]);
      // More than Alice has left: the relayer's submission is rejected.
      const ballot = await signBallot(
        alice,
        domain,
        await allocation(created, alice.address, { toBanks: [second] }, 4_000n),
      );
      const rejected = await rejections(box, await submit(box, relayer, [{ ballot }]), created.token.interface);
      expect(rejected.map((r) => r.error)).to.deep.equal(["BudgetTokenInsufficientBalance"]);
      // Alice changes her mind herself, and now has the tokens the old ballot asked for.
      await created.round.connect(alice).withdraw([first], [ALLOWANCE]);
      // A stranger replays the rejected ballot's calldata: it must not be applied.
      const replay = await submit(box, mallory, [{ ballot }]);
      expect(await rejections(box, replay, created.token.interface)).to.deep.equal([
        { voter: alice.address, nonce: 0n, error: "BudgetTokenInvalidNonce", args: [alice.address, 1n, 0n] },
      ]);
      expect(await created.round.depositOf(second, alice.address)).to.equal(0n);
      expect(await created.token.balanceOf(alice.address)).to.equal(ALLOWANCE);
    });

    it("sent after open() but before opensAt stays dead once voting opens", async function () {
      const created = await createRound(ethers, networkHelpers, ROUND);
      await mintAndOpen(created);
      const [alice, relayer, stranger] = (await ethers.getSigners()).slice(5);
      const batch = await postBatch(created, [{ account: alice.address, district: CENTRAL, amount: ALLOWANCE }]);
      const box = await ballotBoxOf(created);
      const domain = await domainOf(box);
      const { participant, proof } = batch.proofOf(alice.address);
      const claim = { batchId: batch.batchId, ...participant, proof };
      const ballot = await signBallot(
        alice,
        domain,
        await allocation(created, alice.address, { deadline: created.closesAt }),
      );
      const early = await submit(box, relayer, [{ ballot, claim }]);
      expect((await rejections(box, early, created.round.interface)).map((r) => r.error)).to.deep.equal([
        "RoundNotOpen",
      ]);
      expect(await created.token.nonceOf(alice.address)).to.equal(1n);
      await time.increaseTo(created.opensAt);
      const replay = await submit(box, stranger, [{ ballot, claim }]);
      expect((await rejections(box, replay, created.token.interface)).map((r) => r.error)).to.deep.equal([
        "BudgetTokenInvalidNonce",
      ]);
      expect(await created.round.depositOf(created.banks[0], alice.address)).to.equal(0n);
      // The claim sent with it stands: Alice holds her allowance and signs a new ballot with her next nonce.
      expect(await created.token.balanceOf(alice.address)).to.equal(ALLOWANCE);
    });

    it("whose call into the round fails without a reason is rejected, not applied", async function () {
      const { created, box, domain, carol, relayer, claimOf } = await loadFixture(votingRound);
      // Carol signs a ballot whose bank word has a dirty high byte: the round's decoder refuses it with no data.
      const message = await allocation(created, carol.address);
      const bank = created.banks[0].toLowerCase().slice(2);
      const dirty = `0x01${"00".repeat(11)}${bank}`;
      const structHash = ethers.keccak256(
        ethers.AbiCoder.defaultAbiCoder().encode(
          ["bytes32", "address", "address", "uint64", "uint64", "bytes32", "bytes32", "bytes32", "bytes32"],
          [
            await box.BALLOT_TYPEHASH(),
            message.round,
            carol.address,
            message.nonce,
            message.deadline,
            ethers.keccak256("0x"),
            ethers.keccak256("0x"),
            ethers.keccak256(dirty),
            ethers.keccak256(ethers.toBeHex(message.toAmounts[0], 32)),
          ],
        ),
      );
      const digest = ethers.keccak256(
        ethers.concat(["0x1901", ethers.TypedDataEncoder.hashDomain(domain), structHash]),
      );
      const signature = carol.signingKey.sign(digest).serialized;
      const ballot = { ...message, signature };
      const data = box.interface
        .encodeFunctionData("submit", [message.round, [ballotCalldata(ballot, claimOf(carol.address))]])
        .replace(`000000000000000000000000${bank}`, dirty.slice(2));
      const tx = await relayer.sendTransaction({
        to: await box.getAddress(),
        data,
        gasLimit: batchGasLimit([{ ballot, claim: claimOf(carol.address) }]),
      });
      const [rejected] = await rejections(box, tx, box.interface);
      expect(rejected.error).to.equal("BallotBoxCallFailed");
      expect(await created.token.balanceOf(created.banks[0])).to.equal(0n);
      expect(await created.token.nonceOf(carol.address)).to.equal(1n);
    });

    it("of the zero address with no valid signature is refused, and nothing is done in its name", async function () {
      const { created, box, relayer } = await loadFixture(votingRound);
      const message = await allocation(created, ethers.ZeroAddress, { toBanks: [], toAmounts: [] });
      const garbage = { ...message, signature: ethers.concat([ethers.ZeroHash, ethers.ZeroHash, "0x1b"]) };
      const tx = await submit(box, relayer, [{ ballot: garbage }]);
      expect(await rejections(box, tx, box.interface)).to.deep.equal([
        {
          voter: ethers.ZeroAddress,
          nonce: 0n,
          error: "BallotBoxInvalidSigner",
          args: [ethers.ZeroAddress, ethers.ZeroAddress],
        },
      ]);
      expect(await created.token.nonceOf(ethers.ZeroAddress)).to.equal(0n);
    });
  });

  describe("P-256 ballots (a browser's key)", function () {
    /** Dave holds only a P-256 key, like a resident enrolled by phone: his voter address is the key's. */
    async function withBrowserKey() {
      const created = await createRound(ethers, networkHelpers, ROUND);
      await mintAndOpen(created);
      const key = p256KeySigner(ethers.getBytes(ethers.id("dave's browser key")));
      const enrollment = ethers.id("dave's phone");
      const batch = await postBatch(created, [
        { account: key.address, district: CENTRAL, amount: ALLOWANCE, enrollment },
      ]);
      await time.increaseTo(created.opensAt);
      const box = await ballotBoxOf(created);
      const { participant, proof } = batch.proofOf(key.address);
      const claim: BallotClaim = { batchId: batch.batchId, ...participant, proof };
      const relayer = (await ethers.getSigners())[9];
      return { created, box, domain: await domainOf(box), key, claim, relayer };
    }

    it("claims and allocates for a resident whose key never leaves the browser", async function () {
      const { created, box, domain, key, claim, relayer } = await loadFixture(withBrowserKey);
      expect(await box.keyAddress(key.publicKey.x, key.publicKey.y)).to.equal(key.address);
      const ballot = await signBallotP256(key, domain, await allocation(created, key.address, {}, 4_000n));
      expect(await ballotSigner(domain, ballot)).to.equal(key.address);
      const tx = submit(box, relayer, [{ ballot, claim }]);
      await expect(tx).to.changeTokenBalances(ethers, created.token, [key.address, created.banks[0]], [6_000n, 4_000n]);
      await expect(tx).not.to.emit(box, "BallotRejected");
      expect(await created.token.nonceOf(key.address)).to.equal(1n);
    });

    it("rejects a signature by another key, an edited ballot and a high-s twin", async function () {
      const { created, box, domain, key, claim, relayer } = await loadFixture(withBrowserKey);
      const message = await allocation(created, key.address);
      const other = p256KeySigner(ethers.getBytes(ethers.id("another key")));
      const byOther = await signBallotP256(other, domain, { ...message, voter: other.address });
      const signed = await signBallotP256(key, domain, message);
      const bytes = ethers.getBytes(signed.signature);
      const twinS = ethers.toBeHex(P256_ORDER - BigInt(ethers.hexlify(bytes.slice(32, 64))), 32);
      const twin = { ...signed, signature: ethers.concat([bytes.slice(0, 32), twinS, bytes.slice(64)]) };
      const ballots: SignedBallot[] = [{ ...byOther, voter: key.address }, { ...signed, toAmounts: [9_000n] }, twin];
      const tx = await submit(
        box,
        relayer,
        ballots.map((ballot) => ({ ballot, claim })),
      );
      const ecdsa = new ethers.Interface(["error ECDSAInvalidSignatureS(bytes32 s)"]);
      const reasons = new ethers.Interface([...box.interface.fragments, ...ecdsa.fragments]);
      expect((await rejections(box, tx, reasons)).map((r) => [r.error, r.args])).to.deep.equal([
        ["BallotBoxInvalidSigner", [key.address, other.address]],
        ["BallotBoxInvalidSigner", [key.address, ethers.ZeroAddress]],
        ["ECDSAInvalidSignatureS", [twinS]],
      ]);
      expect(await ballotSigner(domain, ballots[1])).to.equal(ethers.ZeroAddress);
      expect(await created.token.nonceOf(key.address)).to.equal(0n);
    });

    it("rejects an unknown scheme and a signature of the wrong length", async function () {
      const { created, box, domain, key, relayer } = await loadFixture(withBrowserKey);
      const signed = await signBallotP256(key, domain, await allocation(created, key.address));
      const unknown = { ...ballotCalldata(signed), scheme: 7 };
      const short = { ...ballotCalldata(signed), signature: ethers.dataSlice(signed.signature, 0, 127) };
      const tx = await box.connect(relayer).submit(signed.round, [unknown, short], { gasLimit: 2_000_000n });
      expect((await rejections(box, tx, box.interface)).map((r) => [r.error, r.args])).to.deep.equal([
        ["BallotBoxUnknownScheme", [7n]],
        ["BallotBoxInvalidSignatureLength", [1n, 127n]],
      ]);
    });

    it("tells the relayer how much gas a P-256 check needs on this chain", async function () {
      const { box } = await loadFixture(withBrowserKey);
      // Hardhat's simulated chain runs Osaka, which has the secp256r1 precompile (EIP-7951).
      expect(await box.signatureGas(SignatureScheme.P256)).to.equal(SIGNATURE_GAS.p256);
      expect(await box.signatureGas(SignatureScheme.Secp256k1)).to.equal(SIGNATURE_GAS.secp256k1);
    });
  });

  describe("#cancel", function () {
    it("lets a resident cancel a signed ballot by using its nonce first", async function () {
      const { created, box, domain, alice, relayer } = await loadFixture(votingRound);
      const ballot = await signBallot(alice, domain, await allocation(created, alice.address));
      await box.connect(alice).cancel(created.round, 0n);
      const tx = await submit(box, relayer, [{ ballot }]);
      expect(await rejections(box, tx, created.token.interface)).to.deep.equal([
        { voter: alice.address, nonce: 0n, error: "BudgetTokenInvalidNonce", args: [alice.address, 1n, 0n] },
      ]);
      expect(await created.token.balanceOf(alice.address)).to.equal(ALLOWANCE);
    });

    it("lets a resident with no ether cancel through a relayer with an empty signed ballot", async function () {
      const { created, box, domain, carol, relayer, claimOf } = await loadFixture(votingRound);
      const ballot = await signBallot(carol, domain, await allocation(created, carol.address));
      const empty = await allocation(created, carol.address, { toBanks: [], toAmounts: [] });
      await submit(box, relayer, [{ ballot: await signBallot(carol, domain, empty) }]);
      // The later claim keeps the used nonce: the cancelled ballot stays cancelled.
      const tx = await submit(box, relayer, [{ ballot, claim: claimOf(carol.address) }]);
      expect(await rejections(box, tx, created.token.interface)).to.deep.equal([
        { voter: carol.address, nonce: 0n, error: "BudgetTokenInvalidNonce", args: [carol.address, 1n, 0n] },
      ]);
      expect(await created.token.balanceOf(carol.address)).to.equal(ALLOWANCE);
      expect(await created.token.nonceOf(carol.address)).to.equal(1n);
    });
  });
});

describe("ballots.ts", function () {
  it("sizes a batch's calldata exactly as the ABI encodes it", async function () {
    const { created, box, domain, alice, carol, claimOf } = await loadFixture(votingRound);
    const move = await allocation(created, alice.address, {
      fromBanks: [created.banks[0]],
      fromAmounts: [1n],
      toBanks: [created.banks[1], created.banks[0]],
      toAmounts: [2n, 3n],
    });
    const ballots: Submitted[] = [
      { ballot: await signBallot(alice, domain, move) },
      {
        ballot: await signBallot(carol, domain, await allocation(created, carol.address)),
        claim: claimOf(carol.address),
      },
    ];
    const data = box.interface.encodeFunctionData("submit", [
      move.round,
      ballots.map(({ ballot, claim }) => ballotCalldata(ballot, claim)),
    ]);
    const sized = ballots.reduce((sum, { ballot, claim }) => sum + ballotCalldataBytes(ballot, claim), 4 + 3 * 32);
    expect(sized).to.equal(ethers.dataLength(data));
  });
});

describe("Round", function () {
  describe("#castFor", function () {
    it("refuses any caller but the round's ballot box", async function () {
      const { created, alice } = await loadFixture(votingRound);
      await expect(created.round.connect(alice).castFor(alice.address, 0n, [], [], [created.banks[0]], [1n]))
        .to.be.revertedWithCustomError(created.round, "RoundUnauthorizedBallotBox")
        .withArgs(alice.address);
    });
  });
});

describe("Relaying gas", function () {
  const VOTERS = 24;

  /** Residents who have claimed, and banks that already hold tokens: the case bench:gas measures directly. */
  async function claimedVoters() {
    const created = await createRound(ethers, networkHelpers, ROUND);
    await mintAndOpen(created);
    const people = await voters(ethers, networkHelpers, VOTERS * 2 + 1);
    const batch = await postBatch(
      created,
      people.map((p) => ({ account: p.address, district: CENTRAL, amount: ALLOWANCE })),
    );
    await time.increaseTo(created.opensAt);
    for (const person of people) {
      const { participant, proof } = batch.proofOf(person.address);
      await created.airdrop.claim(
        batch.batchId,
        participant.account,
        participant.district,
        participant.amount,
        participant.enrollment,
        proof,
      );
    }
    const seed = people.pop()!;
    await created.round.connect(seed).allocate([created.banks[0], created.banks[1]], [1n, 1n]);
    const box = await ballotBoxOf(created);
    return {
      created,
      box,
      domain: await domainOf(box),
      direct: people.slice(0, VOTERS),
      relayed: people.slice(VOTERS),
    };
  }

  it("costs at most 0.8x a direct allocation per ballot", async function () {
    const { created, box, domain, direct, relayed } = await loadFixture(claimedVoters);
    const bank = (i: number) => created.banks[i % 2];
    let directGas = 0n;
    for (const [i, voter] of direct.entries()) {
      const receipt = await (await created.round.connect(voter).allocate([bank(i)], [1_000n])).wait();
      directGas += receipt!.gasUsed;
    }
    const ballots = await Promise.all(
      relayed.map(async (voter, i) => ({
        ballot: await signBallot(voter, domain, await allocation(created, voter.address, { toBanks: [bank(i)] })),
      })),
    );
    const tx = await submit(box, direct[0], ballots);
    expect(await rejections(box, tx, created.token.interface)).to.deep.equal([]);
    const relayedGas = (await tx.wait())!.gasUsed;
    const perDirect = Number(directGas) / VOTERS;
    const perRelayed = Number(relayedGas) / VOTERS;
    console.log(`      direct ${perDirect.toFixed(0)} gas, relayed ${perRelayed.toFixed(0)} gas per ballot`);
    expect(perRelayed).to.be.at.most(0.8 * perDirect);
  });
});
