// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title What a test expects a round to hold
/// @notice A test registers the residents and banks it drives and records here every claim, deposit and withdrawal
/// the round accepted; {RoundChecks} then compares the round's books with these.
contract RoundLedger {
    address[] public residents;
    address[] public banks;
    mapping(address resident => uint256) public claimedOf;
    mapping(address bank => mapping(address resident => uint256)) public depositOf;
    uint256 public claimedTotal;
    uint256 public depositedTotal;
    uint256 public withdrawnTotal;

    function addResident(address resident) external {
        residents.push(resident);
    }

    function addBank(address bank) external {
        banks.push(bank);
    }

    /// @notice `resident` received its allowance of `amount`.
    function recordClaim(address resident, uint256 amount) external {
        claimedOf[resident] = amount;
        claimedTotal += amount;
    }

    /// @notice `resident` put `amount` into `bank`.
    function recordDeposit(address bank, address resident, uint256 amount) external {
        depositOf[bank][resident] += amount;
        depositedTotal += amount;
    }

    /// @notice `resident` took `amount` back out of `bank`.
    function recordWithdrawal(address bank, address resident, uint256 amount) external {
        depositOf[bank][resident] -= amount;
        withdrawnTotal += amount;
    }

    function residentCount() external view returns (uint256) {
        return residents.length;
    }

    function bankCount() external view returns (uint256) {
        return banks.length;
    }

    /// @notice How many residents have something in `bank`.
    function supportersOf(address bank) external view returns (uint256 supporters) {
        for (uint256 r = 0; r < residents.length; ++r) {
            if (depositOf[bank][residents[r]] > 0) ++supporters;
        }
    }
}
