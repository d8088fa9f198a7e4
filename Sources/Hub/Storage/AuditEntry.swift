/// One row of the audit log: who did what to which object, and when.
struct AuditEntry: Sendable, Equatable {
    /// Increasing with insertion order.
    let id: Int64
    /// Unix seconds.
    let time: Int64
    /// Who acted: `cli`, `hub`, or a user id; nil when unknown.
    let actor: String?
    /// What happened, dotted: `token.create`, `token.revoke`, `token.revoke_user`.
    let action: String
    /// The object acted on, such as a token id or a user id (never a secret).
    let target: String?
    /// Free-form detail, such as `kind=admin expires=-`.
    let details: String?
}
