//! Validation of request variables against their declared types, with the messages and
//! `variable.<name>.<field>` paths of gqlparser (the Go library Stash uses).

use apollo_compiler::Schema;
use apollo_compiler::ast::Type;
use apollo_compiler::executable::Operation;
use apollo_compiler::schema::ExtendedType;
use serde_json::{Map, Value};

/// A variable error: message and path (`["variable", "input", "field"]`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct VariableError {
    pub message: String,
    pub path: Vec<Value>,
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "nil",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_i64() || n.is_u64() => "int64",
        Value::Number(_) => "float64",
        Value::String(_) => "string",
        Value::Array(_) => "slice",
        Value::Object(_) => "map",
    }
}

fn err(path: &[Value], message: impl Into<String>) -> VariableError {
    VariableError {
        message: message.into(),
        path: path.to_vec(),
    }
}

/// Checks every variable of `op` in `vars`.
pub(crate) fn validate(
    schema: &Schema,
    op: &Operation,
    vars: &Map<String, Value>,
) -> Result<(), VariableError> {
    for def in &op.variables {
        let name = def.name.as_str();
        let path = vec![Value::from("variable"), Value::from(name)];
        match vars.get(name) {
            None => {
                if def.ty.is_non_null() && def.default_value.is_none() {
                    return Err(err(&path, "must be defined"));
                }
            }
            Some(v) => check(schema, &def.ty, v, &path)?,
        }
    }
    Ok(())
}

fn check(schema: &Schema, ty: &Type, v: &Value, path: &[Value]) -> Result<(), VariableError> {
    if v.is_null() {
        return if ty.is_non_null() {
            Err(err(path, "cannot be null"))
        } else {
            Ok(())
        };
    }
    match ty {
        Type::List(inner) | Type::NonNullList(inner) => match v {
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let mut p = path.to_vec();
                    p.push(Value::from(i));
                    check(schema, inner, item, &p)?;
                }
                Ok(())
            }
            // List input coercion: a single value is a list of one, and its errors say so.
            single => {
                let mut p = path.to_vec();
                p.push(Value::from(0));
                check(schema, inner, single, &p)
            }
        },
        Type::Named(name) | Type::NonNullNamed(name) => {
            let type_name = name.as_str();
            let cannot = || err(path, format!("cannot use {} as {type_name}", kind(v)));
            match schema.types.get(type_name) {
                Some(ExtendedType::Scalar(_)) => {
                    let ok = match type_name {
                        "Int" => v.as_i64().is_some_and(|i| i32::try_from(i).is_ok()),
                        "Float" => v.is_number(),
                        "String" => v.is_string(),
                        "Boolean" => v.is_boolean(),
                        "ID" => v.is_string() || v.is_i64() || v.is_u64(),
                        _ => true,
                    };
                    if ok { Ok(()) } else { Err(cannot()) }
                }
                Some(ExtendedType::Enum(e)) => match v.as_str() {
                    Some(s) if e.values.contains_key(s) => Ok(()),
                    Some(s) => Err(err(path, format!("{s} is not a valid {type_name}"))),
                    None => Err(cannot()),
                },
                Some(ExtendedType::InputObject(def)) => {
                    let Some(obj) = v.as_object() else {
                        return Err(cannot());
                    };
                    for key in obj.keys() {
                        if !def.fields.contains_key(key.as_str()) {
                            let mut p = path.to_vec();
                            p.push(Value::from(key.as_str()));
                            return Err(err(&p, "unknown field"));
                        }
                    }
                    for (fname, fdef) in &def.fields {
                        let mut p = path.to_vec();
                        p.push(Value::from(fname.as_str()));
                        match obj.get(fname.as_str()) {
                            None if fdef.ty.is_non_null() && fdef.default_value.is_none() => {
                                return Err(err(&p, "must be defined"));
                            }
                            None => {}
                            Some(fv) => check(schema, &fdef.ty, fv, &p)?,
                        }
                    }
                    Ok(())
                }
                _ => Err(cannot()),
            }
        }
    }
}
