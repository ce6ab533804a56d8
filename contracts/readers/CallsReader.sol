// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title Many view calls in one `eth_call`, with nothing deployed
/// @notice Never deployed: a reader sends its init code with the calls appended as a "deployless" `eth_call` (no
/// `to`), and the constructor returns `abi.encode(bool[] succeeded, bytes[] answers)` in place of the code: each
/// call's return data, or its revert data when it failed. Any JSON-RPC endpoint runs it, as it is a plain call. The
/// returned "code" is capped at 24,576 bytes (EIP-170), so the caller sends as many calls as their answers fit.
contract CallsReader {
    /// @param targets The contract each call goes to.
    /// @param calls Each call's calldata, in the order of the answer.
    constructor(address[] memory targets, bytes[] memory calls) {
        bool[] memory succeeded = new bool[](calls.length);
        bytes[] memory answers = new bytes[](calls.length);
        for (uint256 i = 0; i < calls.length; ++i) {
            // A view's answer, read the way `eth_call` reads it: nothing can change state.
            // solhint-disable-next-line avoid-low-level-calls
            (succeeded[i], answers[i]) = targets[i].staticcall(calls[i]);
        }
        bytes memory answer = abi.encode(succeeded, answers);
        // Return the answer as if it were the contract's code: it is what `eth_call` hands back.
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            return(add(answer, 32), mload(answer))
        }
    }
}
