/**
 * A realistic small round on a real `hardhat node` for the browser tests and the web benchmark: three districts,
 * projects with canonical metadata files, a published participants tree, the manifest, and the dApp's runtime
 * config. Deployed with ethers and the Hardhat artifacts, laid out with @kopilka/core (the committee's own modules).
 */
import { categoryIndex } from "@kopilka/core/category";
import { Rule } from "@kopilka/core/rule";
import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { ContractFactory, JsonRpcProvider, Wallet, type Contract, type HDNodeWallet, type Signer } from "ethers";

import { canonicalJson, metadataHash, type ProjectMetadata } from "@kopilka/core/metadata";
import { categoryImageURI, publishCategoryImages } from "../../scripts/demo/images.js";
import { freePort, startHardhatNode } from "../../scripts/hardhat/localnode.js";
import { KOPECKS_PER_RUBLE } from "@kopilka/core/money";
import { ANY_DISTRICT, buildParticipantTree, treeTotal, type Participant } from "@kopilka/core/participants";
import { publishBatch, writeSnapshot } from "@kopilka/core/node";
import {
  manifestPath,
  projectMetadataPath,
  projectMetadataURI,
  roundDirectory,
  type RoundManifest,
} from "@kopilka/core/publication";
import type { KopilkaConfig } from "../src/config.js";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const DAY = 24 * 60 * 60;
const rub = (rubles: number): bigint => BigInt(rubles) * KOPECKS_PER_RUBLE;

export { freePort };

export interface Node {
  url: string;
  provider: JsonRpcProvider;
  stop(): void;
}

/** Starts `hardhat node` on a free port (scripts/hardhat/localnode.ts) with an ethers provider for it. */
export async function startNode(): Promise<Node> {
  const node = await startHardhatNode();
  const probe = new JsonRpcProvider(node.url);
  const chainId = Number(await probe.send("eth_chainId", []));
  probe.destroy();
  const provider = new JsonRpcProvider(node.url, chainId, { staticNetwork: true, pollingInterval: 200 });
  return { url: node.url, provider, stop: () => void node.stop() };
}

async function artifact(name: string): Promise<{ abi: unknown[]; bytecode: string }> {
  return JSON.parse(await readFile(path.join(ROOT, "artifacts/contracts", `${name}.sol`, `${name}.json`), "utf8"));
}

async function contractAt(name: string, address: string, signer: Signer): Promise<Contract> {
  const { abi } = await artifact(name);
  return new (await import("ethers")).Contract(address, abi as never, signer);
}

const PROJECTS: { district: number; cost: number; category: string; title: string; description: string }[] = [
  {
    district: 0,
    cost: 400_000,
    category: "playgrounds",
    title: "Детская площадка во дворе на Садовой",
    description: "Горка, качели и мягкое покрытие для детей от 3 до 12 лет.",
  },
  {
    district: 0,
    cost: 650_000,
    category: "street-lighting",
    title: "Освещение улицы Мира",
    description: "Двадцать светодиодных фонарей вдоль улицы Мира до школы.",
  },
  {
    district: 0,
    cost: 300_000,
    category: "libraries",
    title: "Новые книги для сельской библиотеки",
    description: "Пополнение фонда: детская литература и учебники.",
  },
  {
    district: 0,
    cost: 900_000,
    category: "local-roads",
    title: "Ремонт дороги к фельдшерскому пункту",
    description: "Асфальт на участке 400 метров.",
  },
  {
    district: 1,
    cost: 500_000,
    category: "water-supply",
    title: "Водоколонка на Заречной",
    description: "Новая колонка и трубы к трём улицам.",
  },
  {
    district: 1,
    cost: 700_000,
    category: "sport",
    title: "Спортивная площадка у школы",
    description: "Тренажёры и площадка для мини-футбола.",
  },
  {
    district: 1,
    cost: 350_000,
    category: "landscaping",
    title: "Сквер у Дома культуры",
    description: "Скамейки, клумбы и дорожки.",
  },
  {
    district: 2,
    cost: 800_000,
    category: "housing-utilities",
    title: "Котельная для школы",
    description: "Замена котла, который отслужил тридцать лет.",
  },
  {
    district: 2,
    cost: 450_000,
    category: "education-culture",
    title: "Музыкальные инструменты для ДШИ",
    description: "Фортепиано и баяны для детской школы искусств.",
  },
];
const DISTRICTS = [
  { name: "Городищенский район", budget: rub(1_500_000) },
  { name: "Калачёвский район", budget: rub(1_000_000) },
  { name: "Ольховский район", budget: rub(1_000_000) },
];

export interface TestRound {
  node: Node;
  /** Directory served as the site's extra files: kopilka.config.json and published/. */
  siteDir: string;
  config: KopilkaConfig;
  round: Contract;
  token: Contract;
  airdrop: Contract;
  roles: { admin: Signer; committee: Signer; minter: Signer; registrar: Signer; reporter: Signer };
  closesAt: number;
  /** Residents with fresh keys (funded with ether): district-0 voter, any-district voter; and one on no list. */
  voters: { district0: HDNodeWallet; anyDistrict: HDNodeWallet; unlisted: HDNodeWallet };
  allowance: bigint;
  projectIds: number[][];
}

/**
 * Deploys and opens a round, publishes its files under a fresh directory, and writes the dApp's config.
 * `residentsBound`: residents enrolled by phone choose their district once (the phone tests' round); else any.
 */
export async function setupRound(node: Node, { residentsBound = false } = {}): Promise<TestRound> {
  const { provider } = node;
  const signers = await Promise.all([0, 1, 2, 3, 4].map((i) => provider.getSigner(i)));
  const [admin, committee, minter, registrar, reporter] = signers;
  const chainId = Number((await provider.getNetwork()).chainId);

  const factoryArtifact = await artifact("RoundFactory");
  const factory = (await new ContractFactory(
    factoryArtifact.abi as never,
    factoryArtifact.bytecode,
    admin,
  ).deploy()) as Contract;
  await factory.waitForDeployment();
  const fromBlock = (await factory.deploymentTransaction()!.wait())!.blockNumber;

  const now = (await provider.getBlock("latest"))!.timestamp;
  const opensAt = now + 60;
  const closesAt = opensAt + 7 * DAY;
  const budget = DISTRICTS.reduce((sum, d) => sum + d.budget, 0n);
  const allowance = rub(10_000);
  const config = {
    name: "Волгоградская область: инициативное бюджетирование (тест)",
    tokenSymbol: "VLG",
    budget,
    opensAt,
    closesAt,
    rule: Rule.Ranked,
    minTokens: 0n,
    minSupporters: 0,
    // Every resident gets the declared 10,000 rubles; residents enrolled by phone may vote in any district, unless
    // the round binds them to the one they choose.
    allowance,
    residentsBound,
    admin: await admin.getAddress(),
    adminTransferDelay: 3 * DAY,
    committee: await committee.getAddress(),
    minter: await minter.getAddress(),
    registrar: await registrar.getAddress(),
    reporter: await reporter.getAddress(),
  };
  const roundAddress: string = await factory.createRound.staticCall(config);
  await (await factory.createRound(config)).wait();
  const round = await contractAt("Round", roundAddress, committee);
  const token = await contractAt("BudgetToken", await round.token(), admin);
  const airdrop = await contractAt("Airdrop", await round.airdrop(), admin);

  const siteDir = await mkdtemp(path.join(os.tmpdir(), "kopilka-web-"));
  const published = path.join(siteDir, "published");
  // The demo's pictures, one per category, in the round's directory: each project's metadata names its own.
  await publishCategoryImages(roundDirectory(published, chainId, roundAddress));

  for (const d of DISTRICTS) await (await round.addDistrict(d.name, d.budget)).wait();
  const projectIds: number[][] = DISTRICTS.map(() => []);
  for (const [id, p] of PROJECTS.entries()) {
    const image = categoryImageURI(p.category);
    const metadata: ProjectMetadata = {
      title: p.title,
      description: p.description,
      category: p.category,
      district: DISTRICTS[p.district].name,
      image,
    };
    const file = projectMetadataPath(published, chainId, roundAddress, id);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, canonicalJson(metadata));
    await (
      await round.addProject(
        p.district,
        rub(p.cost),
        categoryIndex(p.category),
        metadataHash(metadata),
        projectMetadataURI(id),
      )
    ).wait();
    projectIds[p.district].push(id);
  }
  await (await round.connect(minter).getFunction("mint")(budget)).wait();
  await (await round.open()).wait();

  const voters = {
    district0: Wallet.createRandom(provider),
    anyDistrict: Wallet.createRandom(provider),
    unlisted: Wallet.createRandom(provider),
  };
  for (const wallet of Object.values(voters)) {
    await (await admin.sendTransaction({ to: wallet.address, value: 10n ** 18n })).wait();
  }
  const participants: Participant[] = [
    { account: voters.district0.address, district: 0, amount: allowance },
    { account: voters.anyDistrict.address, district: ANY_DISTRICT, amount: allowance },
    // The node's own accounts 5..9 too, so the built-in dev wallet can vote in a manual session.
    ...(await Promise.all(
      [5, 6, 7, 8, 9].map(async (i) => ({
        account: await (await provider.getSigner(i)).getAddress(),
        district: i % 3,
        amount: allowance,
      })),
    )),
  ];
  const tree = buildParticipantTree(participants);
  // The files first (tree, proof files, list), then the root, as the committee's tool does.
  await publishBatch(roundDirectory(published, chainId, roundAddress), 0, tree);
  await (await round.connect(registrar).getFunction("postBatch")(tree.root, treeTotal(tree))).wait();

  const manifest: RoundManifest = {
    chainId,
    factory: await factory.getAddress(),
    round: roundAddress,
    token: await token.getAddress(),
    airdrop: await airdrop.getAddress(),
    fromBlock,
    name: config.name,
  };
  await writeFile(manifestPath(published, chainId, roundAddress), JSON.stringify(manifest, null, 2) + "\n");

  const kopilkaConfig: KopilkaConfig = {
    chainId,
    chainName: "Hardhat (local)",
    rpcUrl: node.url,
    round: roundAddress as `0x${string}`,
    publishedBase: "/published",
    fromBlock,
  };
  await writeFile(path.join(siteDir, "kopilka.config.json"), JSON.stringify(kopilkaConfig, null, 2) + "\n");

  // Voting opens: move the chain to opensAt.
  await provider.send("evm_setNextBlockTimestamp", [opensAt]);
  await provider.send("evm_mine", []);
  // The snapshot the read-only pages paint from, as the demo writes it.
  await writeSnapshot({ rpc: node.url, round: roundAddress, published, fromBlock });

  return {
    node,
    siteDir,
    config: kopilkaConfig,
    round,
    token,
    airdrop,
    roles: { admin, committee, minter, registrar, reporter },
    closesAt,
    voters,
    allowance,
    projectIds,
  };
}
