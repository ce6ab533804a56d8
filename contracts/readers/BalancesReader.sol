// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title Many `balanceOf` answers in one `eth_call`, with nothing deployed
/// @notice Never deployed: an auditor sends its init code with the arguments appended as a "deployless" `eth_call`
/// (no `to`), and the constructor returns `abi.encode(uint256[] balances)` in place of the code. Any JSON-RPC
/// endpoint runs it, as it is a plain call. The returned "code" is capped at 24,576 bytes (EIP-170), so a call
/// answers for at most 766 accounts.
contract BalancesReader {
    /// @param token The ERC-20 to ask.
    /// @param accounts The holders, in the order of the answer.
    constructor(IERC20 token, address[] memory accounts) {
        uint256[] memory balances = new uint256[](accounts.length);
        for (uint256 i = 0; i < accounts.length; ++i) {
            balances[i] = token.balanceOf(accounts[i]);
        }
        bytes memory answer = abi.encode(balances);
        // Return the answer as if it were the contract's code: it is what `eth_call` hands back.
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            return(add(answer, 32), mload(answer))
        }
    }
}
