/**
 * What the relayer knows of its round: the contracts, the piggy banks and their districts, the published
 * participants trees (checked against the roots on-chain), and each voter's state on-chain.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";

import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { Contract, getAddress, type Provider } from "ethers";

import { ballotDomain, type BallotClaim } from "@kopilka/core/ballots";
import { ANY_DISTRICT, type ParticipantLeaf } from "@kopilka/core/participants";
import { roundDirectory } from "@kopilka/core/publication";

const ROUND_ABI = [
  "function token() view returns (address)",
  "function airdrop() view returns (address)",
  "function ballotBox() view returns (address)",
  "function closesAt() view returns (uint64)",
  "function opensAt() view returns (uint64)",
  "function projectCount() view returns (uint256)",
  "function project(uint256) view returns (tuple(address bank, uint16 district, uint64 cost, uint8 category, bool funded))",
  "function depositOf(address bank, address voter) view returns (uint256)",
];
const TOKEN_ABI = [
  "function balanceOf(address) view returns (uint256)",
  "function holderOf(address) view returns (uint8 kind, uint16 district)",
  "function nonceOf(address) view returns (uint256)",
];
const AIRDROP_ABI = [
  "function batchCount() view returns (uint256)",
  "function batch(uint256) view returns (tuple(bytes32 root, uint128 total, uint128 claimed))",
];

const RESIDENT = 1n;
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
  readonly round: Contract;
  token!: Contract;
  airdrop!: Contract;
  ballotBox!: string;
  chainId!: bigint;
  closesAt!: bigint;
  /** District of each piggy bank, by lower-case address. */
  readonly banks = new Map<string, number>();
  private readonly leaves = new Map<string, Leaf>();
  private readonly loadedBatches = new Set<string>();
  private lastScan = 0;

  constructor(
    private readonly provider: Provider,
    roundAddress: string,
    private readonly publication: string,
  ) {
    this.round = new Contract(roundAddress, ROUND_ABI, provider);
  }

  async load(): Promise<void> {
    this.chainId = (await this.provider.getNetwork()).chainId;
    const [token, airdrop, ballotBox, closesAt] = await Promise.all([
      this.round.token(),
      this.round.airdrop(),
      this.round.ballotBox(),
      this.round.closesAt(),
    ]);
    this.token = new Contract(token, TOKEN_ABI, this.provider);
    this.airdrop = new Contract(airdrop, AIRDROP_ABI, this.provider);
    this.ballotBox = getAddress(ballotBox);
    this.closesAt = closesAt;
    await this.loadBanks();
    await this.scanTrees();
  }

  get domain() {
    return ballotDomain(this.chainId, this.ballotBox);
  }

  get address(): string {
    return this.round.target as string;
  }

  /** Reads projects added since the last call; setup ends when voting opens, so this settles. */
  async loadBanks(): Promise<void> {
    const count = Number(await this.round.projectCount());
    const ids = Array.from({ length: count - this.banks.size }, (_, i) => this.banks.size + i);
    const projects = await Promise.all(ids.map((id) => this.round.project(id)));
    for (const project of projects) this.banks.set(project.bank.toLowerCase(), Number(project.district));
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
      if (batchId >= (await this.airdrop.batchCount())) continue;
      const tree = StandardMerkleTree.load<ParticipantLeaf>(
        JSON.parse(await readFile(path.join(directory, file), "utf8")),
      );
      const posted = await this.airdrop.batch(batchId);
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
      this.token.nonceOf(voter),
      this.token.holderOf(voter),
      this.token.balanceOf(voter),
    ]);
    if (BigInt(holder.kind) === RESIDENT) return { nonce, balance, district: Number(holder.district) };
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

  depositOf(bank: string, voter: string): Promise<bigint> {
    return this.round.depositOf(bank, voter);
  }

  /** Whether `district` (a voter's binding) may put tokens into `bank`. */
  bankAccepts(bank: string, district: number): boolean {
    const bankDistrict = this.banks.get(bank.toLowerCase());
    return bankDistrict !== undefined && (district === ANY_DISTRICT || district === bankDistrict);
  }
}
