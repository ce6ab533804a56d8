// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";

/// @title Budget token of one participatory-budgeting round
/// @notice One token is one ruble; with 2 decimals the smallest unit is one kopeck, so every amount of the
/// real budget is exact. The whole supply is minted to the round and sealed when voting opens. The airdrop
/// hands allowances from it to verified residents; the round moves tokens between residents and its piggy
/// banks. Nobody else can move a token: there is no market, no gift and no allowance.
/// @dev Each holder's balance shares one storage word with what the holder is (resident, piggy bank) and the
/// district its tokens are bound to, so a vote reads and writes one word per party.
interface IBudgetToken is IERC20Metadata {
    /// @notice What an address is to the token.
    enum HolderKind {
        None,
        Resident,
        PiggyBank,
        // An account the registrar revoked before it claimed (a resident who lost the device holding its key and
        // enrolled again with a new one): it can never receive an allowance.
        Revoked
    }

    /// @notice Thrown on every transfer that is not the round moving tokens between a resident and a bank.
    error BudgetTokenTransferNotAllowed(address from, address to);
    /// @notice Thrown on `approve`: allowances would make the tokens tradable.
    error BudgetTokenApprovalNotAllowed(address owner, address spender);
    /// @notice Thrown when a function reserved to the round (or, for `grant`, the airdrop) is called by anyone else.
    error BudgetTokenUnauthorizedCaller(address caller);
    /// @notice Thrown on minting after the supply was sealed.
    error BudgetTokenSupplySealed();
    /// @notice Thrown on a grant before the supply was sealed, i.e. before voting was opened.
    error BudgetTokenSupplyNotSealed();
    /// @notice Thrown when minting would take the supply above the round's budget.
    error BudgetTokenBudgetExceeded(uint256 budget, uint256 supply, uint256 amount);
    /// @notice Thrown when an allowance would go to the zero address or to the round itself, or when the registrar
    /// would revoke one of those or a piggy bank.
    error BudgetTokenInvalidResident(address account);
    /// @notice Thrown when an account that already received its allowance would receive a second one, or would be
    /// revoked (its votes stand).
    error BudgetTokenAlreadyClaimed(address account);
    /// @notice Thrown when a revoked account would receive an allowance, or be revoked again.
    error BudgetTokenAccountRevoked(address account);
    /// @notice Thrown when tokens would go to an address that is not a piggy bank of this round.
    error BudgetTokenNotAPiggyBank(address account);
    /// @notice Thrown when an address is registered as a piggy bank twice or already holds tokens.
    error BudgetTokenHolderExists(address account);
    /// @notice Thrown when tokens bound to one district would go to a project of another district.
    error BudgetTokenDistrictMismatch(address resident, uint16 residentDistrict, uint16 bankDistrict);
    /// @notice Thrown when the holder does not have the tokens it would move.
    error BudgetTokenInsufficientBalance(address holder, uint256 balance, uint256 needed);
    /// @notice Thrown when two arrays that pair up have different lengths.
    error BudgetTokenLengthMismatch(uint256 banks, uint256 amounts);
    /// @notice Thrown when a signed ballot's nonce is not the account's next one: used, cancelled or out of order.
    error BudgetTokenInvalidNonce(address account, uint256 current, uint256 nonce);

    /// @notice `account` was revoked: it can no longer claim an allowance.
    event AccountRevoked(address indexed account);

    /// @notice The district value of a resident whose tokens may go to any district.
    function ANY_DISTRICT() external view returns (uint16);

    /// @notice The round that owns this token and alone can move it.
    function round() external view returns (address);

    /// @notice The airdrop that alone hands out allowances. Created by this token.
    function airdrop() external view returns (address);

    /// @notice The round's whole budget in kopecks: the supply can never exceed it.
    function budget() external view returns (uint256);

    /// @notice Whether the supply is sealed: no more minting, and allowances may be handed out.
    function supplySealed() external view returns (bool);

    /// @notice What `account` is to the token, and the district its tokens are bound to.
    function holderOf(address account) external view returns (HolderKind kind, uint16 district);

    /// @notice The nonce the next signed ballot of `account` must carry (see {IBallotBox}).
    function nonceOf(address account) external view returns (uint256);

    /// @notice Mints `amount` to the round. Only the round, before the supply is sealed.
    function mint(uint256 amount) external;

    /// @notice Seals the supply when voting opens. Only the round.
    function seal() external;

    /// @notice Marks `bank` as the piggy bank of a project in `district`. Only the round.
    function registerPiggyBank(address bank, uint16 district) external;

    /// @notice Moves a resident's allowance from the round to `resident`, bound to `district`
    /// (or `ANY_DISTRICT`). Each account receives one allowance, and a revoked account none. Only the airdrop, once
    /// the supply is sealed; the airdrop keeps every claim within a posted total, and the posted totals within the
    /// supply.
    function grant(address resident, uint16 district, uint256 amount) external;

    /// @notice Marks `account`, which has not claimed, as revoked: no allowance can ever go to it. Only the round,
    /// for its registrar. Keeps the account's nonce: its signed ballots stay as used or unused as they were.
    function revoke(address account) external;

    /// @notice Moves `amounts[i]` from `resident` into `banks[i]`. Only the round.
    function deposit(address resident, address[] calldata banks, uint256[] calldata amounts) external;

    /// @notice Like `deposit`, for a signed ballot: also consumes `resident`'s nonce `nonce`, which must be the
    /// current one. With no banks it only consumes the nonce. Only the round.
    function depositSigned(
        address resident,
        uint256 nonce,
        address[] calldata banks,
        uint256[] calldata amounts
    ) external;

    /// @notice Moves `amounts[i]` from `banks[i]` back to `resident`. Only the round.
    function withdraw(address resident, address[] calldata banks, uint256[] calldata amounts) external;
}
