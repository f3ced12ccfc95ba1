// The Policy target; see DESIGN.md §3.
