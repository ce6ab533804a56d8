// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IRound} from "../interfaces/IRound.sol";

/// @title A voter that tries to re-enter the round (test only)
/// @notice A contract account can be a resident like any other: it claims and votes through the functions
/// below. Every hook a token or a bank could call back into (plain ether, ERC-777 `tokensReceived`, ERC-1363
/// `onTransferReceived`, any unknown selector) lands in `receive` or `fallback`, counts itself in `hookCalls` and
/// tries to withdraw the voter's last allocation and allocate it again while the outer call is still running.
/// It also answers `round()` with the real round, so it looks like one of its piggy banks to a careless check.
contract ReentrantVoter {
    IRound public immutable round;
    uint256 public hookCalls;

    address[] private _banks;
    uint256[] private _amounts;

    constructor(IRound round_) {
        round = round_;
    }

    function claimAndAllocate(
        uint256 batchId,
        uint16 districtId,
        uint256 amount,
        bytes32 enrollment,
        bytes32[] calldata proof,
        address[] calldata banks,
        uint256[] calldata amounts
    ) external {
        _remember(banks, amounts);
        round.claimAndAllocate(batchId, districtId, amount, enrollment, proof, banks, amounts);
    }

    function allocate(address[] calldata banks, uint256[] calldata amounts) external {
        _remember(banks, amounts);
        round.allocate(banks, amounts);
    }

    function withdraw(address[] calldata banks, uint256[] calldata amounts) external {
        round.withdraw(banks, amounts);
    }

    receive() external payable {
        _reenter();
    }

    fallback() external payable {
        _reenter();
    }

    function _remember(address[] calldata banks, uint256[] calldata amounts) private {
        _banks = banks;
        _amounts = amounts;
    }

    function _reenter() private {
        ++hookCalls;
        round.withdraw(_banks, _amounts);
        round.allocate(_banks, _amounts);
    }
}
