// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {Airdrop} from "./Airdrop.sol";
import {IBudgetToken} from "./interfaces/IBudgetToken.sol";

/// @title Budget token of one round
/// @notice See {IBudgetToken}. Not OpenZeppelin's ERC20: its balances live in a mapping of their own, and a vote
/// would then touch two words per party instead of one.
contract BudgetToken is IBudgetToken {
    /// @dev For residents, banks and the round `balance` is the balance; the round's own record also keeps whether
    /// the supply is sealed, which every grant reads, so debiting the round there costs a grant no extra read.
    /// `nonce` counts a resident's signed ballots: it sits in the word every vote already writes, so replay
    /// protection costs no storage of its own.
    struct Holder {
        uint128 balance;
        HolderKind kind;
        uint16 district;
        bool supplySealed;
        uint64 nonce;
    }

    /// @inheritdoc IBudgetToken
    uint16 public constant ANY_DISTRICT = type(uint16).max;

    /// @inheritdoc IBudgetToken
    address public immutable round;
    /// @inheritdoc IBudgetToken
    address public immutable airdrop;
    /// @inheritdoc IBudgetToken
    uint256 public immutable budget;

    string private _name;
    string private _symbol;
    uint256 private _totalSupply;
    mapping(address account => Holder) private _holders;

    modifier onlyRound() {
        if (msg.sender != round) revert BudgetTokenUnauthorizedCaller(msg.sender);
        _;
    }

    /// @param round_ The round that alone moves tokens; the whole supply is minted to it.
    /// @param budget_ The round's budget in kopecks (at most 2^128 - 1).
    /// @param closesAt The round's deadline, after which the airdrop refuses claims.
    /// @dev Creating the airdrop here lets both know each other through immutables: a claim then calls the
    /// token straight from the airdrop without reading any address from storage.
    constructor(string memory name_, string memory symbol_, address round_, uint256 budget_, uint64 closesAt) {
        _name = name_;
        _symbol = symbol_;
        round = round_;
        budget = budget_;
        airdrop = address(new Airdrop(round_, closesAt));
    }

    // --- ERC-20 reads ---

    /// @inheritdoc IERC20Metadata
    function name() external view returns (string memory) {
        return _name;
    }

    /// @inheritdoc IERC20Metadata
    function symbol() external view returns (string memory) {
        return _symbol;
    }

    /// @inheritdoc IERC20Metadata
    /// @dev 1 token = 1 ruble, so 2 decimals make the smallest unit one kopeck.
    function decimals() external pure returns (uint8) {
        return 2;
    }

    /// @inheritdoc IERC20
    function totalSupply() external view returns (uint256) {
        return _totalSupply;
    }

    /// @inheritdoc IERC20
    function balanceOf(address account) external view returns (uint256) {
        return _holders[account].balance;
    }

    /// @inheritdoc IERC20
    /// @dev Always zero: nobody can be allowed to spend someone else's tokens.
    function allowance(address, address) external pure returns (uint256) {
        return 0;
    }

    /// @inheritdoc IBudgetToken
    function supplySealed() external view returns (bool) {
        return _holders[round].supplySealed;
    }

    /// @inheritdoc IBudgetToken
    function holderOf(address account) external view returns (HolderKind kind, uint16 district) {
        Holder storage holder = _holders[account];
        return (holder.kind, holder.district);
    }

    /// @inheritdoc IBudgetToken
    function nonceOf(address account) external view returns (uint256) {
        return _holders[account].nonce;
    }

    // --- ERC-20 writes, all refused ---
    // Declared non-view, as in IERC20, so wallets and generated bindings send them as transactions and meet the
    // revert; the compiler's "can be restricted to view" warnings for these three are expected.

    /// @inheritdoc IERC20
    function transfer(address to, uint256) external returns (bool) {
        revert BudgetTokenTransferNotAllowed(msg.sender, to);
    }

    /// @inheritdoc IERC20
    function transferFrom(address from, address to, uint256) external returns (bool) {
        revert BudgetTokenTransferNotAllowed(from, to);
    }

    /// @inheritdoc IERC20
    function approve(address spender, uint256) external returns (bool) {
        revert BudgetTokenApprovalNotAllowed(msg.sender, spender);
    }

    // --- the round's moves ---

    /// @inheritdoc IBudgetToken
    function mint(uint256 amount) external onlyRound {
        Holder storage treasury = _holders[round];
        if (treasury.supplySealed) revert BudgetTokenSupplySealed();
        uint256 supply = _totalSupply;
        if (amount > budget - supply) revert BudgetTokenBudgetExceeded(budget, supply, amount);
        _totalSupply = supply + amount;
        // Cannot overflow: the supply, and so any balance, is at most the budget, checked below 2^128 by the round.
        unchecked {
            treasury.balance += uint128(amount);
        }
        emit Transfer(address(0), round, amount);
    }

    /// @inheritdoc IBudgetToken
    function seal() external onlyRound {
        _holders[round].supplySealed = true;
    }

    /// @inheritdoc IBudgetToken
    function registerPiggyBank(address bank, uint16 district) external onlyRound {
        Holder storage holder = _holders[bank];
        if (holder.kind != HolderKind.None) revert BudgetTokenHolderExists(bank);
        holder.kind = HolderKind.PiggyBank;
        holder.district = district;
    }

    /// @inheritdoc IBudgetToken
    function grant(address resident, uint16 district, uint256 amount) external {
        if (msg.sender != airdrop) revert BudgetTokenUnauthorizedCaller(msg.sender);
        // The round's own record holds the minted supply and the seal; a leaf for it must not overwrite them.
        if (resident == round || resident == address(0)) revert BudgetTokenInvalidResident(resident);
        Holder storage holder = _holders[resident];
        HolderKind kind = holder.kind;
        if (kind != HolderKind.None) {
            // A revoked account is told apart only here, on the way out: a claim reads no extra word for it.
            if (kind == HolderKind.Revoked) revert BudgetTokenAccountRevoked(resident);
            revert BudgetTokenAlreadyClaimed(resident);
        }
        Holder storage treasury = _holders[round];
        if (!treasury.supplySealed) revert BudgetTokenSupplyNotSealed();
        // Cannot underflow: the airdrop keeps claims within posted totals, and those within the minted supply, which
        // is what the round held. The casts are safe for the same reason.
        unchecked {
            treasury.balance -= uint128(amount);
        }
        // The nonce is kept: a ballot cancelled before the claim must stay cancelled.
        _holders[resident] = Holder({
            balance: uint128(amount),
            kind: HolderKind.Resident,
            district: district,
            supplySealed: false,
            nonce: holder.nonce
        });
        emit Transfer(round, resident, amount);
    }

    /// @inheritdoc IBudgetToken
    function revoke(address account) external onlyRound {
        if (account == round || account == address(0)) revert BudgetTokenInvalidResident(account);
        Holder storage holder = _holders[account];
        HolderKind kind = holder.kind;
        if (kind == HolderKind.Resident) revert BudgetTokenAlreadyClaimed(account);
        if (kind == HolderKind.Revoked) revert BudgetTokenAccountRevoked(account);
        if (kind == HolderKind.PiggyBank) revert BudgetTokenInvalidResident(account);
        holder.kind = HolderKind.Revoked;
        emit AccountRevoked(account);
    }

    /// @inheritdoc IBudgetToken
    function deposit(address resident, address[] calldata banks, uint256[] calldata amounts) external onlyRound {
        Holder storage from = _holders[resident];
        from.balance = _deposit(resident, from, banks, amounts);
    }

    /// @inheritdoc IBudgetToken
    function depositSigned(
        address resident,
        uint256 nonce,
        address[] calldata banks,
        uint256[] calldata amounts
    ) external onlyRound {
        Holder storage from = _holders[resident];
        uint64 current = from.nonce;
        if (nonce != current) revert BudgetTokenInvalidNonce(resident, current, nonce);
        uint128 remaining = _deposit(resident, from, banks, amounts);
        // Cannot overflow: each signed ballot adds one, and 2^64 ballots do not fit in any chain's lifetime.
        unchecked {
            from.nonce = current + 1;
        }
        from.balance = remaining;
    }

    /// @inheritdoc IBudgetToken
    function withdraw(address resident, address[] calldata banks, uint256[] calldata amounts) external onlyRound {
        if (banks.length != amounts.length) revert BudgetTokenLengthMismatch(banks.length, amounts.length);
        Holder storage to = _holders[resident];
        if (to.kind != HolderKind.Resident) revert BudgetTokenTransferNotAllowed(address(0), resident);
        uint128 received = to.balance;
        for (uint256 i = 0; i < banks.length; ++i) {
            address bank = banks[i];
            uint256 amount = amounts[i];
            Holder storage from = _holders[bank];
            if (from.kind != HolderKind.PiggyBank) revert BudgetTokenNotAPiggyBank(bank);
            uint128 available = from.balance;
            if (amount > available) revert BudgetTokenInsufficientBalance(bank, available, amount);
            // Cannot overflow or underflow: checked above, and every balance is part of a supply < 2^128.
            unchecked {
                from.balance = available - uint128(amount);
                received += uint128(amount);
            }
            emit Transfer(bank, resident, amount);
        }
        to.balance = received;
    }

    /// @dev Moves `amounts[i]` from `resident` (whose record is `from`) into `banks[i]` and returns what the
    /// resident has left, for the caller to write back with whatever else it changes in the same word.
    function _deposit(
        address resident,
        Holder storage from,
        address[] calldata banks,
        uint256[] calldata amounts
    ) private returns (uint128 remaining) {
        if (banks.length != amounts.length) revert BudgetTokenLengthMismatch(banks.length, amounts.length);
        remaining = from.balance;
        uint16 residentDistrict = from.district;
        for (uint256 i = 0; i < banks.length; ++i) {
            address bank = banks[i];
            uint256 amount = amounts[i];
            Holder storage to = _holders[bank];
            if (to.kind != HolderKind.PiggyBank) revert BudgetTokenNotAPiggyBank(bank);
            if (residentDistrict != ANY_DISTRICT && residentDistrict != to.district) {
                revert BudgetTokenDistrictMismatch(resident, residentDistrict, to.district);
            }
            if (amount > remaining) revert BudgetTokenInsufficientBalance(resident, remaining, amount);
            // Cannot overflow or underflow: amount <= remaining <= supply < 2^128.
            unchecked {
                remaining -= uint128(amount);
                to.balance += uint128(amount);
            }
            emit Transfer(resident, bank, amount);
        }
    }
}
