use super::*;

#[test]
fn placeholder_compiles() {
    assert_eq!(Dialect::Dojo.table().len(), 19);
}
