/**
 * What the relayer knows of its round: the contracts, the piggy banks and their districts, each voter's published
 * proof file (one small file a resident, checked against its batch's root on-chain), and each voter's state on-chain.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";

import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { getAddress, type JsonRpcProvider } from "ethers";

import { ballotDomain, type BallotClaim } from "@kopilka/core/ballots";
import { RoundReader, toRpc } from "@kopilka/core/chain";
import { HolderKind } from "@kopilka/core/holder";
import { ANY_DISTRICT, LEAF_ENCODING } from "@kopilka/core/participants";
import { proofFile, roundDirectory, type ProofFile } from "@kopilka/core/publication";
import { BudgetToken__factory, Round__factory, type BudgetToken, type Round } from "../../typechain-types/index.js";

export interface VoterState {
  nonce: bigint;
  /** Tokens the voter holds, or would hold once the attached claim goes through. */
  balance: bigint;
  district: number;
  /** The claim to send along, when the voter has not claimed yet. */
  claim?: BallotClaim;
}

export class RoundView {
  /** Every read of the round's contracts goes through it. */
  readonly reader: RoundReader;
  /**
   * The round and its token as typechain contracts on the relayer's provider: server.ts still takes its chain clock
   * from `round`'s provider and a voter's nonce from `token` (`nonceOf()` here reads the same through `reader`).
   */
  readonly round: Round;
  token!: BudgetToken;
  tokenAddress!: string;
  airdropAddress!: string;
  ballotBox!: string;
  chainId!: bigint;
  opensAt!: bigint;
  closesAt!: bigint;
  /** District of each piggy bank, by lower-case address. */
  readonly banks = new Map<string, number>();
  /** Claims of voters whose proof file checked out, by lower-case address; a posted root never changes. */
  private readonly claims = new Map<string, BallotClaim>();
  /** Roots of the batches posted so far, by batch id. */
  private readonly roots = new Map<bigint, string>();

  constructor(
    private readonly provider: JsonRpcProvider,
    roundAddress: string,
    private readonly publication: string,
  ) {
    this.reader = new RoundReader(toRpc(provider), roundAddress);
    this.round = Round__factory.connect(roundAddress, provider);
  }

  async load(): Promise<void> {
    const [network, settings] = await Promise.all([this.provider.getNetwork(), this.reader.settings()]);
    this.chainId = network.chainId;
    this.token = BudgetToken__factory.connect(settings.token, this.provider);
    this.tokenAddress = settings.token;
    this.airdropAddress = settings.airdrop;
    this.ballotBox = getAddress(settings.ballotBox);
    this.opensAt = settings.opensAt;
    this.closesAt = settings.closesAt;
    await this.loadBanks(settings.projectCount);
  }

  get domain() {
    return ballotDomain(this.chainId, this.ballotBox);
  }

  get address(): string {
    return this.reader.round;
  }

  /** Reads the projects up to `projectCount` not read yet; setup ends when voting opens, so this settles. */
  async loadBanks(projectCount: number): Promise<void> {
    const ids = Array.from({ length: projectCount - this.banks.size }, (_, i) => this.banks.size + i);
    const projects = await Promise.all(ids.map((id) => this.reader.project(id)));
    for (const project of projects) this.banks.set(project.bank.toLowerCase(), project.district);
  }

  /**
   * The voter's claim from the voter's proof file, when it is published and leads to its batch's root on-chain; read
   * again at every asking until it does (a file written before its root was posted, or not written yet).
   */
  async claimOf(voter: string): Promise<BallotClaim | undefined> {
    const account = voter.toLowerCase();
    const known = this.claims.get(account);
    if (known) return known;
    const file = path.join(
      roundDirectory(this.publication, this.chainId, this.address),
      ...proofFile(account).split("/"),
    );
    let proof: ProofFile;
    try {
      proof = JSON.parse(await readFile(file, "utf8")) as ProofFile;
    } catch {
      return undefined;
    }
    const batchId = BigInt(proof.batchId);
    let root = this.roots.get(batchId);
    if (root === undefined) {
      if (batchId >= BigInt(await this.reader.batchCount(this.airdropAddress))) return undefined;
      root = (await this.reader.batch(this.airdropAddress, batchId)).root;
      this.roots.set(batchId, root);
    }
    const leaf = [account, proof.district, proof.amount, proof.enrollment];
    if (!StandardMerkleTree.verify(root, [...LEAF_ENCODING], leaf, proof.proof)) {
      console.warn(`relayer: ${file} does not lead to the root of batch ${batchId}; ignored`);
      return undefined;
    }
    const claim: BallotClaim = {
      batchId,
      district: Number(proof.district),
      amount: BigInt(proof.amount),
      enrollment: proof.enrollment,
      proof: proof.proof,
    };
    this.claims.set(account, claim);
    return claim;
  }

  /**
   * The voter's nonce, tokens and district, from the chain or, before their claim, from the voter's proof file;
   * "revoked" for an account revoked on-chain (its resident enrolled again from another device); undefined for an
   * account in no posted batch.
   */
  async voterState(voter: string): Promise<VoterState | "revoked" | undefined> {
    const [nonce, holder, balance] = await Promise.all([
      this.reader.nonceOf(this.tokenAddress, voter),
      this.reader.holderOf(this.tokenAddress, voter),
      this.reader.balanceOf(this.tokenAddress, voter),
    ]);
    if (holder.kind === HolderKind.Resident) return { nonce, balance, district: holder.district };
    // A revoked account can never claim.
    if (holder.kind === HolderKind.Revoked) return "revoked";
    const claim = await this.claimOf(voter);
    if (!claim) return undefined;
    return { nonce, balance: claim.amount, district: claim.district, claim };
  }

  /** The nonce the voter's next ballot must carry. */
  nonceOf(voter: string): Promise<bigint> {
    return this.reader.nonceOf(this.tokenAddress, voter);
  }

  depositOf(bank: string, voter: string): Promise<bigint> {
    return this.reader.depositOf(bank, voter);
  }

  /** Whether `district` (a voter's binding) may put tokens into `bank`. */
  bankAccepts(bank: string, district: number): boolean {
    const bankDistrict = this.banks.get(bank.toLowerCase());
    return bankDistrict !== undefined && (district === ANY_DISTRICT || district === bankDistrict);
  }
}
