package registry

// Roles of console users.
const (
	RoleRegulator   = "regulator"
	RoleAssociation = "association"
	RoleVendor      = "vendor"
)

// Actor is who makes a change; it is written to the audit log.
type Actor struct {
	Kind string // "user", "cli", "token", "system"
	Name string // username or token name; empty for cli and system
	Role string // the user's role, for user actors
}

// CLIActor is the operator at the command line.
var CLIActor = Actor{Kind: "cli"}

// SystemActor is the server itself (scheduler, start-up).
var SystemActor = Actor{Kind: "system"}

// UserActor is a logged-in console user.
func UserActor(u User) Actor { return Actor{Kind: "user", Name: u.Username, Role: u.Role} }

// String is the audit log's actor column: "user:alice", "cli", "token:hotline".
func (a Actor) String() string {
	if a.Name == "" {
		return a.Kind
	}
	return a.Kind + ":" + a.Name
}

// IsRegulator reports whether the actor may take regulator-only decisions.
func (a Actor) IsRegulator() bool { return a.Kind == "user" && a.Role == RoleRegulator }
