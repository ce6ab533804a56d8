/**
 * The committee page's Safe confirmations in a real browser against a real `hardhat node`: a 2-of-3 Safe (Safe's
 * own contracts from npm) has a proposal its first owner signed and published, as `kopilka --safe` does; the
 * second owner, in the browser with the injected test wallet, sees it with one confirmation of two and confirms it
 * with the Safe's approveHash, then executes it from the page with the file's signature and that approval.
 */
import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import { Contract, Interface, Wallet, type HDNodeWallet, type Signer } from "ethers";
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

before(async () => {
  const node = await startNode();
  round = await setupRound(node);
  site = await serveSite(round.siteDir);
  browser = await launchChromium();
  member = Wallet.createRandom(node.provider);
  await (await round.roles.admin.sendTransaction({ to: member.address, value: 10n ** 18n })).wait();
  [first, third] = await Promise.all([5, 6].map((i) => node.provider.getSigner(i)));
  const published = path.join(round.siteDir, "published");
  const contracts = await deploySafeContracts(round.roles.admin, published, round.config.chainId);
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
          description: "confirm the threshold of 2",
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
    await proposal.getByText("confirm the threshold of 2").waitFor();
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
});
