//! Enums that travel as strings and are shown with a label in both languages: states, permissions,
//! audit actions. One macro writes the enum, its list, its string form both ways, its labels and its serde
//! form, so that the string table exists once per enum.

/// ```
/// jiqun_domain::labelled_enum! {
///     /// What a thing can be.
///     pub enum Colour {
///         Red = "red", "红", "red";
///         Green = "green", "绿", "green";
///     }
/// }
/// assert_eq!(Colour::parse("green"), Some(Colour::Green));
/// assert_eq!(Colour::Red.label(jiqun_domain::Lang::Zh), "红");
/// assert_eq!(Colour::from_text("绿"), Some(Colour::Green));
/// ```
#[macro_export]
macro_rules! labelled_enum {
    ($(#[$m:meta])* pub enum $name:ident { $($(#[$vm:meta])* $variant:ident = $code:literal, $zh:literal, $en:literal;)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vm])* $variant,)*
        }

        impl $name {
            /// Every value, in the order of the list.
            pub const ALL: [$name; [$(stringify!($variant)),*].len()] = [$($name::$variant,)*];

            /// The stable string: what is stored and what the API speaks.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code,)* }
            }

            /// The value a string names; `None` for anything else, never a default.
            pub fn parse(s: &str) -> Option<$name> {
                match s.trim() { $($code => Some($name::$variant),)* _ => None }
            }

            /// As people say it.
            pub fn label(self, lang: $crate::Lang) -> &'static str {
                match self { $($name::$variant => lang.pick($zh, $en),)* }
            }

            /// The value a person's text names: the stable string or either label (what a filled-in
            /// template or a form holds). `None` for anything else.
            pub fn from_text(s: &str) -> Option<$name> {
                let s = s.trim();
                $name::parse(s).or_else(|| {
                    $name::ALL.into_iter().find(|v| {
                        v.label($crate::Lang::Zh) == s || v.label($crate::Lang::En).eq_ignore_ascii_case(s)
                    })
                })
            }
        }

        impl $crate::__utoipa::PartialSchema for $name {
            fn schema() -> $crate::__utoipa::openapi::RefOr<$crate::__utoipa::openapi::schema::Schema> {
                $crate::__utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type($crate::__utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($code),*]))
                    .into()
            }
        }

        impl $crate::__utoipa::ToSchema for $name {}

        $crate::written_as_str!($name);

        impl<'de> $crate::__serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__serde::Deserializer<'de>>(d: D) -> ::std::result::Result<$name, D::Error> {
                let s = <::std::borrow::Cow<'de, str> as $crate::__serde::Deserialize>::deserialize(d)?;
                $name::parse(&s).ok_or_else(|| {
                    let known: Vec<&str> = $name::ALL.iter().map(|v| v.as_str()).collect();
                    <D::Error as $crate::__serde::de::Error>::custom(format!(
                        "unknown value “{s}”, expected one of {}",
                        known.join(", ")
                    ))
                })
            }
        }
    };
}

/// `Display` and `Serialize` as `as_str` says: the one string form of a value that travels as a string.
#[macro_export]
macro_rules! written_as_str {
    ($t:ty) => {
        impl ::std::fmt::Display for $t {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl $crate::__serde::Serialize for $t {
            fn serialize<S: $crate::__serde::Serializer>(&self, s: S) -> ::std::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
    };
}

/// A type held as a checked string that travels as that string: shown and serialised as it is, and read
/// through its own checker (`parse`, whose error says what is wrong with `message(Lang)`), so that no
/// unchecked value deserialises. Needs `as_str` and `parse`.
#[macro_export]
macro_rules! checked_string {
    ($t:ty) => {
        $crate::written_as_str!($t);

        impl<'de> $crate::__serde::Deserialize<'de> for $t {
            fn deserialize<D: $crate::__serde::Deserializer<'de>>(d: D) -> ::std::result::Result<$t, D::Error> {
                let s = <::std::borrow::Cow<'de, str> as $crate::__serde::Deserialize>::deserialize(d)?;
                <$t>::parse(&s)
                    .map_err(|e| <D::Error as $crate::__serde::de::Error>::custom(e.message($crate::Lang::En)))
            }
        }
    };
}

/// A type held as a checked string, read as that string where it is shown or compared with text that came
/// from elsewhere (a page's query, a plan's names): `Deref<Target = str>` and equality with `str`,
/// `&str` and `String`. Needs `as_str`.
#[macro_export]
macro_rules! reads_as_str {
    ($t:ty) => {
        impl ::std::ops::Deref for $t {
            type Target = str;
            fn deref(&self) -> &str {
                self.as_str()
            }
        }

        impl ::std::cmp::PartialEq<str> for $t {
            fn eq(&self, other: &str) -> bool {
                self.as_str() == other
            }
        }

        impl ::std::cmp::PartialEq<&str> for $t {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }

        impl ::std::cmp::PartialEq<::std::string::String> for $t {
            fn eq(&self, other: &::std::string::String) -> bool {
                self.as_str() == other
            }
        }

        impl ::std::cmp::PartialEq<$t> for ::std::string::String {
            fn eq(&self, other: &$t) -> bool {
                self == other.as_str()
            }
        }

        impl ::std::cmp::PartialEq<$t> for &str {
            fn eq(&self, other: &$t) -> bool {
                *self == other.as_str()
            }
        }
    };
}
