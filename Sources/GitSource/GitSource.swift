// The GitSource target; see DESIGN.md §3.
