enum DesiredStatePlaceholder {}
