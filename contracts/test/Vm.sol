// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title The cheatcodes the Kopilka Solidity tests use
/// @notice Hardhat's test runner (EDR) answers these at the Foundry cheatcode address. Only the calls the tests
/// make are declared, so a typo fails to compile instead of hitting an unknown selector.
// The name every Solidity test suite knows.
// solhint-disable-next-line interface-starts-with-i
interface Vm {
    function prank(address sender) external;
    function startPrank(address sender) external;
    function stopPrank() external;
    function warp(uint256 timestamp) external;
    function expectRevert(bytes calldata revertData) external;
    /// @notice The next call must emit, from `emitter`, the event the test emits next (topics and data compared).
    function expectEmit(address emitter) external;
    function addr(uint256 privateKey) external pure returns (address);
    function sign(uint256 privateKey, bytes32 digest) external pure returns (uint8 v, bytes32 r, bytes32 s);
    function assume(bool condition) external pure;
    function label(address account, string calldata name) external;
}

/// @dev address(uint160(uint256(keccak256("hevm cheat code"))))
address constant VM_ADDRESS = 0x7109709ECfa91a80626fF3989D68f67F5b1DD12D;
