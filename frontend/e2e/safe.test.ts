/**
 * The committee page's Safe confirmations in a real browser against a real `hardhat node`: a 2-of-3 Safe (Safe's
 * own contracts from npm) has a proposal its first owner signed and published, as `kopilka --safe` does; the
 * second owner, in the browser with the injected test wallet, sees it with one confirmation of two and confirms it
 * with the Safe's approveHash, then executes it from the page with the file's signature and that approval. Each
 * proposal shows what its transaction does, decoded and in Russian, beside the proposer's note; a note that names
 * another action (it says "open" over a mint) is shown with a warning.
 */
import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import {
  concat,
  Contract,
  dataLength,
  Interface,
  solidityPacked,
  Wallet,
  type HDNodeWallet,
  type Signer,
} from "ethers";
import type { Browser, Page } from "playwright-core";

import { SAFE_ABI, safeProposalsPath, safeTxHash, safeTxTypedData, type SafeProposals } from "@kopilka/core/safe";
import { createSafe, deploySafeContracts } from "../../scripts/hardhat/safe.js";
import { launchChromium, screenshots } from "./browser.js";
import { connect, expectAccessible, openPage } from "./pages.js";
import { serveSite, type StaticSite } from "./server.js";
import { setupRound, startNode, type TestRound } from "./setup.js";

let round: TestRound;
let site: StaticSite;
let browser: Browser;
let member: HDNodeWallet;
let first: Signer;
let third: Signer;
let safe: string;
let contracts: Awaited<ReturnType<typeof deploySafeContracts>>;

before(async () => {
  const node = await startNode();
  round = await setupRound(node);
  site = await serveSite(round.siteDir);
  browser = await launchChromium();
  member = Wallet.createRandom(node.provider);
  await (await round.roles.admin.sendTransaction({ to: member.address, value: 10n ** 18n })).wait();
  [first, third] = await Promise.all([5, 6].map((i) => node.provider.getSigner(i)));
  const published = path.join(round.siteDir, "published");
  contracts = await deploySafeContracts(round.roles.admin, published, round.config.chainId);
  const owners = [await first.getAddress(), member.address, await third.getAddress()];
  safe = await createSafe(round.roles.admin, contracts, owners, 2);
});

after(async () => {
  await browser?.close();
  await site?.close();
  round?.node.stop();
});

describe("the committee page's Safe confirmations", () => {
  it("shows a proposal waiting for a second owner, who confirms it on-chain and carries it out", async () => {
    const { chainId } = round.config;
    const safeContract = new Contract(safe, SAFE_ABI as never, round.roles.admin);
    // The proposal, a harmless one: set the threshold to 2 again. The first owner signs it, as kopilka --safe does.
    const tx = {
      to: safe,
      value: "0",
      data: new Interface(["function changeThreshold(uint256)"]).encodeFunctionData("changeThreshold", [2]),
      operation: 0,
      safeTxGas: "0",
      baseGas: "0",
      gasPrice: "0",
      gasToken: "0x0000000000000000000000000000000000000000",
      refundReceiver: "0x0000000000000000000000000000000000000000",
      nonce: 0,
    };
    const hash = safeTxHash(chainId, safe, tx);
    const { domain, types, message } = safeTxTypedData(chainId, safe, tx);
    const signature = await first.signTypedData(domain, { SafeTx: [...types.SafeTx] }, message);
    const firstAddress = (await first.getAddress()).toLowerCase();
    const file: SafeProposals = {
      chainId,
      safe,
      proposals: [
        {
          safeTxHash: hash,
          description: "change threshold to 2",
          tx,
          signatures: { [firstAddress]: signature },
          proposedBlock: await round.node.provider.getBlockNumber(),
        },
      ],
    };
    const proposalsFile = safeProposalsPath(path.join(round.siteDir, "published"), chainId, safe);
    await mkdir(path.dirname(proposalsFile), { recursive: true });
    await writeFile(proposalsFile, JSON.stringify(file, null, 2) + "\n");

    const page: Page = await openPage(browser, { wallet: member, rpcUrl: round.config.rpcUrl, chainId });
    await page.goto(`${site.url}/committee?safe=${safe}`);
    await connect(page);
    const proposal = page.locator(`[data-safe-tx="${hash}"]`);
    await proposal.getByTestId("confirmations").filter({ hasText: "1 из 2" }).waitFor();
    await proposal
      .getByTestId("actions")
      .getByText("Изменить число нужных подтверждений Safe на 2", { exact: true })
      .waitFor();
    await proposal.getByText("Примечание предложившего: «change threshold to 2»").waitFor();
    assert.equal(await proposal.getByTestId("note-mismatch").count(), 0);
    await expectAccessible(page);
    await screenshots(page, "committee-safe", { citizen: false });
    await proposal.getByRole("button", { name: "Подтвердить" }).click();
    await proposal.getByTestId("confirmations").filter({ hasText: "2 из 2" }).waitFor();
    assert.equal(await safeContract.approvedHashes(member.address, hash), 1n);

    // The confirmations meet the threshold: the page executes it with the first owner's signature and the
    // member's on-chain approval, as any visitor with an account could.
    await proposal.getByRole("button", { name: "Исполнить" }).click();
    await page.getByText("Ничего не ждёт подтверждения").waitFor();
    assert.equal(await safeContract.nonce(), 1n);
  });

  it("shows what a mint and a batch do, in Russian, and warns when the proposer's note says something else", async () => {
    const { chainId } = round.config;
    const roundAddress = await round.round.getAddress();
    const roundAbi = round.round.interface;
    const none = "0x0000000000000000000000000000000000000000";
    const proposalOf = (nonce: number, description: string, to: string, data: string, operation: number) => {
      const tx = {
        to,
        value: "0",
        data,
        operation,
        safeTxGas: "0",
        baseGas: "0",
        gasPrice: "0",
        gasToken: none,
        refundReceiver: none,
        nonce,
      };
      return { safeTxHash: safeTxHash(chainId, safe, tx), description, tx, signatures: {}, proposedBlock: 0 };
    };
    // The note lies: it says the round opens, but the transaction mints 1,500,000 rubles.
    const mint = proposalOf(
      1,
      `open round ${roundAddress}`,
      roundAddress,
      roundAbi.encodeFunctionData("mint", [150_000_000n]),
      0,
    );
    // A batch through the chain's MultiSendCallOnly, as protocol-kit builds it, with an honest note.
    const parts = [
      roundAbi.encodeFunctionData("addDistrict", ["Заречный", 500_000n]),
      roundAbi.encodeFunctionData("open", []),
    ].map((data) =>
      solidityPacked(["uint8", "address", "uint256", "uint256", "bytes"], [0, roundAddress, 0, dataLength(data), data]),
    );
    const batchData = new Interface(["function multiSend(bytes transactions)"]).encodeFunctionData("multiSend", [
      concat(parts),
    ]);
    const batch = proposalOf(
      2,
      "add 1 district(s)/project(s) to round",
      contracts.multiSendCallOnlyAddress,
      batchData,
      1,
    );
    const file: SafeProposals = { chainId, safe, proposals: [mint, batch] };
    const proposalsFile = safeProposalsPath(path.join(round.siteDir, "published"), chainId, safe);
    await writeFile(proposalsFile, JSON.stringify(file, null, 2) + "\n");

    const page: Page = await openPage(browser, { wallet: member, rpcUrl: round.config.rpcUrl, chainId });
    await page.goto(`${site.url}/committee?safe=${safe}`);
    await connect(page);
    const minting = page.locator(`[data-safe-tx="${mint.safeTxHash}"]`);
    await minting.getByTestId("actions").getByText("Выпустить бюджет раунда: 1\u00a0500\u00a0000\u00a0₽").waitFor();
    await minting.getByTestId("note-mismatch").waitFor();
    assert.match(await minting.getByTestId("note-mismatch").innerText(), /не совпадает с тем, что делает транзакция/);
    await minting.getByText(`Примечание предложившего: «open round ${roundAddress}»`).waitFor();

    const batching = page.locator(`[data-safe-tx="${batch.safeTxHash}"]`);
    const actions = batching.getByTestId("actions").locator("li");
    assert.deepEqual(await actions.allInnerTexts(), [
      "Добавить район «Заречный» с бюджетом 5\u00a0000\u00a0₽",
      "Открыть голосование",
    ]);
    assert.equal(await batching.getByTestId("note-mismatch").count(), 0);
    await expectAccessible(page);
    await screenshots(page, "committee-safe-decoded", { citizen: false });
  });
});
