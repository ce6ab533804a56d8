/**
 * What the relayer knows of its round: the contracts, the piggy banks and their districts, the published
 * participants trees (checked against the roots on-chain), and each voter's state on-chain.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";

import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { getAddress, type JsonRpcProvider } from "ethers";

import { ballotDomain, type BallotClaim } from "@kopilka/core/ballots";
import { RoundReader, toRpc } from "@kopilka/core/chain";
import { HolderKind } from "@kopilka/core/holder";
import { ANY_DISTRICT, type ParticipantLeaf } from "@kopilka/core/participants";
import { roundDirectory } from "@kopilka/core/publication";
import { BudgetToken__factory, Round__factory, type BudgetToken, type Round } from "../../typechain-types/index.js";

const RESCAN_MS = 10_000;

export interface VoterState {
  nonce: bigint;
  /** Tokens the voter holds, or would hold once the attached claim goes through. */
  balance: bigint;
  district: number;
  /** The claim to send along, when the voter has not claimed yet. */
  claim?: BallotClaim;
}

interface Leaf {
  batchId: bigint;
  tree: StandardMerkleTree<ParticipantLeaf>;
  index: number;
  district: number;
  amount: bigint;
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
  closesAt!: bigint;
  /** District of each piggy bank, by lower-case address. */
  readonly banks = new Map<string, number>();
  private readonly leaves = new Map<string, Leaf>();
  private readonly loadedBatches = new Set<string>();
  private lastScan = 0;

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
    this.closesAt = settings.closesAt;
    await this.loadBanks(settings.projectCount);
    await this.scanTrees();
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

  /** Loads batch files not loaded yet, keeping only those whose root matches the batch on-chain. */
  async scanTrees(force = false): Promise<void> {
    if (!force && Date.now() - this.lastScan < RESCAN_MS) return;
    this.lastScan = Date.now();
    const directory = path.join(roundDirectory(this.publication, this.chainId, this.address), "participants");
    let files: string[];
    try {
      files = (await readdir(directory)).filter((f) => /^batch-\d+\.json$/.test(f) && !this.loadedBatches.has(f));
    } catch {
      return;
    }
    for (const file of files) {
      const batchId = BigInt(file.match(/\d+/)![0]);
      if (batchId >= (await this.reader.batchCount(this.airdropAddress))) continue;
      const tree = StandardMerkleTree.load<ParticipantLeaf>(
        JSON.parse(await readFile(path.join(directory, file), "utf8")),
      );
      const posted = await this.reader.batch(this.airdropAddress, batchId);
      if (posted.root !== tree.root) {
        console.warn(`relayer: ${file} has root ${tree.root}, batch ${batchId} on-chain has ${posted.root}; ignored`);
        continue;
      }
      for (const [index, leaf] of tree.entries()) {
        const account = leaf[0].toLowerCase();
        if (!this.leaves.has(account)) {
          this.leaves.set(account, { batchId, tree, index, district: Number(leaf[1]), amount: BigInt(leaf[2]) });
        }
      }
      this.loadedBatches.add(file);
    }
  }

  /** The voter's nonce, tokens and district, from the chain or, before their claim, from the published tree. */
  async voterState(voter: string): Promise<VoterState | undefined> {
    const [nonce, holder, balance] = await Promise.all([
      this.reader.nonceOf(this.tokenAddress, voter),
      this.reader.holderOf(this.tokenAddress, voter),
      this.reader.balanceOf(this.tokenAddress, voter),
    ]);
    if (holder.kind === HolderKind.Resident) return { nonce, balance, district: holder.district };
    let leaf = this.leaves.get(voter.toLowerCase());
    if (!leaf) {
      await this.scanTrees();
      leaf = this.leaves.get(voter.toLowerCase());
    }
    if (!leaf) return undefined;
    const claim: BallotClaim = {
      batchId: leaf.batchId,
      district: leaf.district,
      amount: leaf.amount,
      proof: leaf.tree.getProof(leaf.index),
    };
    return { nonce, balance: leaf.amount, district: leaf.district, claim };
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
