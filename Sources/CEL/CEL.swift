// The CEL target; see DESIGN.md §3.
